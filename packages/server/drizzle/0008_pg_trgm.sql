-- Trigram matching for substring search on item UIDs (the index is in 0009). PGlite loads the
-- extension from @electric-sql/pglite/contrib; PostgreSQL ships it in contrib (trusted since 13).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
