CREATE TABLE "engraving_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"machine_id" uuid,
	"assigned_machine_id" uuid,
	"priority" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"confirm_each" boolean DEFAULT false NOT NULL,
	"confirmed" integer DEFAULT 0 NOT NULL,
	"settings" jsonb NOT NULL,
	"total" integer NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"operator" text NOT NULL,
	"error" text,
	"progress" jsonb,
	"lease_owner" text,
	"lease_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "engraving_pieces" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"item_id" uuid NOT NULL,
	"uid" text NOT NULL,
	"content" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"gcode_sha256" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "machines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"work_area_x" double precision NOT NULL,
	"work_area_y" double precision NOT NULL,
	"max_power" integer NOT NULL,
	"spot_size" double precision NOT NULL,
	"max_rate" double precision NOT NULL,
	"acceleration" double precision NOT NULL,
	"has_z" boolean DEFAULT false NOT NULL,
	"connection" jsonb NOT NULL,
	"presets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text DEFAULT 'idle' NOT NULL,
	"last_status" jsonb,
	"last_seen_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "engraving_jobs" ADD CONSTRAINT "engraving_jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engraving_jobs" ADD CONSTRAINT "engraving_jobs_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engraving_jobs" ADD CONSTRAINT "engraving_jobs_assigned_machine_id_machines_id_fk" FOREIGN KEY ("assigned_machine_id") REFERENCES "public"."machines"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engraving_pieces" ADD CONSTRAINT "engraving_pieces_job_id_engraving_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."engraving_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engraving_pieces" ADD CONSTRAINT "engraving_pieces_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "engraving_jobs_queue" ON "engraving_jobs" USING btree ("status","priority","created_at");--> statement-breakpoint
CREATE INDEX "engraving_jobs_tenant_created" ON "engraving_jobs" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "engraving_pieces_job_seq" ON "engraving_pieces" USING btree ("job_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "machines_tenant_name" ON "machines" USING btree ("tenant_id","name");