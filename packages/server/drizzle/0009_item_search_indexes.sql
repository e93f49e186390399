CREATE INDEX "items_tenant_lot_uid" ON "items" USING btree ("tenant_id","lot_number","uid");--> statement-breakpoint
CREATE INDEX "items_uid_trgm" ON "items" USING gin ("uid" gin_trgm_ops);