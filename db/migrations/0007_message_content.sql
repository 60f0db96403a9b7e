-- Each message's typed content (lib/whatsapp/message-types/). Rows stored before it get theirs from their raw
-- item at start-up, by the same code that builds it at ingest (lib/whatsapp/content-backfill.ts).
ALTER TABLE "messages" ADD COLUMN "content" jsonb;
