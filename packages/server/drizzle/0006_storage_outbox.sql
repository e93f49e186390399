CREATE TABLE "storage_outbox" (
	"key" text PRIMARY KEY NOT NULL,
	"action" text NOT NULL,
	"token" uuid DEFAULT gen_random_uuid() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "storage_outbox_next_idx" ON "storage_outbox" USING btree ("next_attempt_at");