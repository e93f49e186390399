ALTER TABLE "engraving_jobs" ADD COLUMN "dry_run" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "probe_until" timestamp (3) with time zone;