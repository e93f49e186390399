CREATE TABLE "item_uid_tokens" (
	"item_id" uuid PRIMARY KEY NOT NULL,
	"tokens" "tsvector" NOT NULL
);
--> statement-breakpoint
DROP INDEX "items_uid_tokens";--> statement-breakpoint
ALTER TABLE "item_uid_tokens" ADD CONSTRAINT "item_uid_tokens_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "item_uid_tokens_search" ON "item_uid_tokens" USING gin ("tokens") WITH (gin_pending_list_limit=256);