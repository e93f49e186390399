CREATE TABLE "dynamic_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"target" text NOT NULL,
	"rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"valid_from" timestamp (3) with time zone,
	"valid_until" timestamp (3) with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_scans" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"code_id" uuid,
	"item_uid" text,
	"lot" text,
	"result" text NOT NULL,
	"target" text,
	"device" text NOT NULL,
	"browser" text,
	"os" text,
	"language" text,
	"referrer" text,
	"country" text,
	"visitor" text NOT NULL,
	"bot" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_pages" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"fields" jsonb DEFAULT '["type","manufacturingDate","warranty"]'::jsonb NOT NULL,
	"brand_name" text,
	"contact_email" text,
	"contact_url" text,
	"warranty_registration" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recalls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"lot" text NOT NULL,
	"type_code" text,
	"serial_from" integer,
	"serial_to" integer,
	"message" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "warranty_registrations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"email" text NOT NULL,
	"purchase_date" date NOT NULL,
	"registered_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "id_schemas" ADD COLUMN "code_signed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dynamic_codes" ADD CONSTRAINT "dynamic_codes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_pages" ADD CONSTRAINT "public_pages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warranty_registrations" ADD CONSTRAINT "warranty_registrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warranty_registrations" ADD CONSTRAINT "warranty_registrations_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dynamic_codes_slug" ON "dynamic_codes" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "dynamic_codes_tenant_created" ON "dynamic_codes" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "link_scans_tenant_at" ON "link_scans" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "link_scans_code_at" ON "link_scans" USING btree ("code_id","at");--> statement-breakpoint
CREATE INDEX "link_scans_tenant_item" ON "link_scans" USING btree ("tenant_id","item_uid","at");--> statement-breakpoint
CREATE INDEX "link_scans_tenant_lot" ON "link_scans" USING btree ("tenant_id","lot","at");--> statement-breakpoint
CREATE INDEX "recalls_tenant_lot" ON "recalls" USING btree ("tenant_id","lot");--> statement-breakpoint
CREATE UNIQUE INDEX "warranty_registrations_item" ON "warranty_registrations" USING btree ("item_id");