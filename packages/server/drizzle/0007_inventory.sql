CREATE TABLE "component_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"min_stock" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "id_schemas" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"template" text NOT NULL,
	"alphabet" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"uid" text NOT NULL,
	"lot_id" uuid NOT NULL,
	"type_code" text NOT NULL,
	"vendor_code" text NOT NULL,
	"lot_number" text NOT NULL,
	"serial" integer NOT NULL,
	"manufacturing_date" date NOT NULL,
	"warranty_years" integer DEFAULT 0 NOT NULL,
	"warranty_expires" date,
	"status" text DEFAULT 'generated' NOT NULL,
	"location" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"code_content" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"type_code" text NOT NULL,
	"vendor_code" text NOT NULL,
	"lot_number" text NOT NULL,
	"manufacturing_date" date NOT NULL,
	"next_serial" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "component_types" ADD CONSTRAINT "component_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "id_schemas" ADD CONSTRAINT "id_schemas_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_events" ADD CONSTRAINT "item_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_events" ADD CONSTRAINT "item_events_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vendors" ADD CONSTRAINT "vendors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "component_types_tenant_code" ON "component_types" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "item_events_item" ON "item_events" USING btree ("item_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "items_tenant_uid" ON "items" USING btree ("tenant_id","uid");--> statement-breakpoint
CREATE INDEX "items_tenant_created" ON "items" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "items_tenant_status" ON "items" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "items_lot_serial" ON "items" USING btree ("lot_id","serial");--> statement-breakpoint
CREATE INDEX "items_tenant_type_status" ON "items" USING btree ("tenant_id","type_code","status");--> statement-breakpoint
CREATE INDEX "items_tenant_warranty" ON "items" USING btree ("tenant_id","warranty_expires");--> statement-breakpoint
CREATE UNIQUE INDEX "lots_tenant_key" ON "lots" USING btree ("tenant_id","type_code","vendor_code","lot_number");--> statement-breakpoint
CREATE UNIQUE INDEX "vendors_tenant_code" ON "vendors" USING btree ("tenant_id","code");