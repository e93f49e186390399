-- Tenant isolation's second layer: PostgreSQL row-level security under the services' own
-- tenant filters. A connection sees and writes only the rows of the tenant in its
-- qrforge.tenant_id setting (set by the app per request: platform/db/tenant-scope.ts and
-- scoped-pool.ts); an empty or unset setting is system work (workers, sign-in, public pages,
-- migrations, psql) and sees every row. FORCE: the policies bind the tables' owner too.
-- Superusers and BYPASSRLS roles skip them, so the app must connect as an ordinary role
-- (docs/security.md). Tables without a tenant_id of their own follow their parent row. A test
-- (resilience/tenant-isolation) fails when a table with tenant_id has no policy.
-- The tenant of the connection, or NULL for system work. The policies read it through a
-- sub-select, which PostgreSQL evaluates once per query (an InitPlan) instead of once per row:
-- counting 150,000 items cost 35 % more with the setting read row by row.
CREATE FUNCTION qrforge_current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('qrforge.tenant_id', true), '')::uuid
$$;
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "api_keys" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_log" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "audit_log" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "batches" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "batches" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "batches" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "codes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "codes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "codes" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "component_types" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "component_types" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "component_types" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "domain_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "domain_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "domain_events" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "dynamic_codes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "dynamic_codes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "dynamic_codes" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "engraving_jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "engraving_jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "engraving_jobs" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "id_schemas" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "id_schemas" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "id_schemas" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "idempotency_keys" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "inventory_alerts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "inventory_alerts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "inventory_alerts" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "item_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "item_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "item_events" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "items" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "jobs" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "link_scans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "link_scans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "link_scans" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "lots" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "lots" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "lots" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "machines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "machines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "machines" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "memberships" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "public_pages" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "public_pages" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "public_pages" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "recalls" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "recalls" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "recalls" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "scan_sessions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scan_sessions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scan_sessions" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "scans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scans" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "vendors" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "vendors" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "vendors" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "warranty_registrations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "warranty_registrations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "warranty_registrations" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "webhook_deliveries" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "webhook_endpoints" USING ((SELECT qrforge_current_tenant()) IS NULL OR "tenant_id" = (SELECT qrforge_current_tenant()));
--> statement-breakpoint
ALTER TABLE "engraving_pieces" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "engraving_pieces" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "engraving_pieces" USING ((SELECT qrforge_current_tenant()) IS NULL OR EXISTS (SELECT 1 FROM "engraving_jobs" WHERE "engraving_jobs"."id" = "engraving_pieces"."job_id"));
--> statement-breakpoint
ALTER TABLE "job_effects" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "job_effects" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "job_effects" USING ((SELECT qrforge_current_tenant()) IS NULL OR EXISTS (SELECT 1 FROM "jobs" WHERE "jobs"."id" = "job_effects"."job_id"));
--> statement-breakpoint
ALTER TABLE "scan_session_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scan_session_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scan_session_items" USING ((SELECT qrforge_current_tenant()) IS NULL OR EXISTS (SELECT 1 FROM "scan_sessions" WHERE "scan_sessions"."id" = "scan_session_items"."session_id"));
