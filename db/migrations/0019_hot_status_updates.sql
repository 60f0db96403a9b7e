-- Statuses update a message in place (HOT). PostgreSQL can only do so when no indexed column changes and
-- the row's page has room; otherwise the new version needs an entry in every index of messages, the
-- trigrams of its text included, for each of sent, delivered and read. The failed-message indexes named
-- status (their predicate) and status_at (their key): they now name failed_at, which PostgreSQL keeps as
-- status_at while the status is failed and null otherwise, and pages keep a tenth free for new versions.
-- Adding a stored generated column rewrites the table (and rebuilds its indexes) under an exclusive lock:
-- on a large install, run this in a quiet hour.
ALTER TABLE "messages" SET (fillfactor = 90);--> statement-breakpoint
DROP INDEX "messages_failed_idx";--> statement-breakpoint
DROP INDEX "messages_failed_code_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "failed_at" timestamp with time zone GENERATED ALWAYS AS (case when status = 'failed' then status_at end) STORED;--> statement-breakpoint
CREATE INDEX "messages_failed_idx" ON "messages" USING btree ("failed_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE failed_at is not null;--> statement-breakpoint
CREATE INDEX "messages_failed_code_idx" ON "messages" USING btree ((errors -> 0 ->> 'code'),"failed_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE failed_at is not null;
