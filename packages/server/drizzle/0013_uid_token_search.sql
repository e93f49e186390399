DROP INDEX "items_uid_trgm";--> statement-breakpoint
CREATE INDEX "items_uid_tokens" ON "items" USING gin (array_to_tsvector(regexp_split_to_array(lower("uid"), '[-./]')));