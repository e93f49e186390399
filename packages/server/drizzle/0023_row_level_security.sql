-- Tenant isolation's second layer: PostgreSQL row-level security under the services' own
-- tenant filters. A connection sees and writes only the rows of the tenant in its
-- qrforge.tenant_id setting (set by the app per request: platform/db/tenant-scope.ts and
-- scoped-pool.ts); an empty or unset setting is system work (workers, sign-in, public pages,
-- migrations, psql) and sees every row. FORCE: the policies bind the tables' owner too.
-- Superusers and BYPASSRLS roles skip them, so the app must connect as an ordinary role
-- (docs/security.md). Tables without a tenant_id of their own follow their parent row. A test
-- (resilience/tenant-isolation) fails when a table with tenant_id has no policy.
CREATE FUNCTION qrforge_tenant_visible(tenant uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('qrforge.tenant_id', true), '') = ''
      OR tenant = nullif(current_setting('qrforge.tenant_id', true), '')::uuid
$$;
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "api_keys" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_log" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "audit_log" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "batches" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "batches" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "batches" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "codes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "codes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "codes" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "component_types" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "component_types" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "component_types" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "domain_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "domain_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "domain_events" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "dynamic_codes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "dynamic_codes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "dynamic_codes" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "engraving_jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "engraving_jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "engraving_jobs" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "id_schemas" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "id_schemas" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "id_schemas" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "idempotency_keys" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "inventory_alerts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "inventory_alerts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "inventory_alerts" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "item_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "item_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "item_events" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "items" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "jobs" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "link_scans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "link_scans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "link_scans" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "lots" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "lots" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "lots" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "machines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "machines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "machines" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "memberships" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "public_pages" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "public_pages" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "public_pages" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "recalls" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "recalls" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "recalls" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "scan_sessions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scan_sessions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scan_sessions" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "scans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scans" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "vendors" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "vendors" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "vendors" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "warranty_registrations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "warranty_registrations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "warranty_registrations" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "webhook_deliveries" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "webhook_endpoints" USING (qrforge_tenant_visible("tenant_id"));
--> statement-breakpoint
ALTER TABLE "engraving_pieces" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "engraving_pieces" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "engraving_pieces" USING (EXISTS (SELECT 1 FROM "engraving_jobs" WHERE "engraving_jobs"."id" = "engraving_pieces"."job_id"));
--> statement-breakpoint
ALTER TABLE "job_effects" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "job_effects" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "job_effects" USING (EXISTS (SELECT 1 FROM "jobs" WHERE "jobs"."id" = "job_effects"."job_id"));
--> statement-breakpoint
ALTER TABLE "scan_session_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "scan_session_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_scope" ON "scan_session_items" USING (EXISTS (SELECT 1 FROM "scan_sessions" WHERE "scan_sessions"."id" = "scan_session_items"."session_id"));
