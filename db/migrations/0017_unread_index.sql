-- Conversations with unread messages only: the unread counts per view and the notifications read this
-- small index instead of every open conversation. The migrator runs in a transaction, so this builds it
-- with a plain CREATE INDEX (it blocks writes to conversations while it builds: seconds at a million rows).
-- On a large live install build it first by hand, without blocking, and this finds it:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS "conversations_unread_idx" ON "conversations" USING btree ("assignee_id","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST,"status","phone_number_id","unread_count") WHERE unread_count > 0;
CREATE INDEX IF NOT EXISTS "conversations_unread_idx" ON "conversations" USING btree ("assignee_id","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST,"status","phone_number_id","unread_count") WHERE unread_count > 0;
