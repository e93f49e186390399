CREATE TABLE "inventory_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"type_code" text NOT NULL,
	"kind" text NOT NULL,
	"available" integer NOT NULL,
	"minimum" integer NOT NULL,
	"opened_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "inventory_alerts" ADD CONSTRAINT "inventory_alerts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inventory_alerts_tenant_opened" ON "inventory_alerts" USING btree ("tenant_id","opened_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_alerts_open" ON "inventory_alerts" USING btree ("tenant_id","type_code","kind") WHERE "inventory_alerts"."resolved_at" is null;