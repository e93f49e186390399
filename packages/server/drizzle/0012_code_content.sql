ALTER TABLE "component_types" ADD COLUMN "gtin" text;--> statement-breakpoint
ALTER TABLE "id_schemas" ADD COLUMN "code_content" text DEFAULT 'uid' NOT NULL;--> statement-breakpoint
ALTER TABLE "id_schemas" ADD COLUMN "code_base_url" text;