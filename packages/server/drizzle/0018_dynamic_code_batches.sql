ALTER TABLE "dynamic_codes" ADD COLUMN "batch_id" uuid;--> statement-breakpoint
ALTER TABLE "dynamic_codes" ADD COLUMN "batch_row" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "dynamic_codes_batch_row" ON "dynamic_codes" USING btree ("batch_id","batch_row");