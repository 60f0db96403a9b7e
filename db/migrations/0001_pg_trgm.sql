-- Trigram indexes make the inbox search (ILIKE '%q%') an index lookup. pg_trgm is a trusted extension
-- (PostgreSQL 13+), so the database owner may create it; PGlite loads it in db/client.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
