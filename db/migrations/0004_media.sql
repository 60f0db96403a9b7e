CREATE TABLE "media_items" (
	"wamid" text PRIMARY KEY NOT NULL,
	"media_id" text NOT NULL,
	"kind" text NOT NULL,
	"mime_type" text,
	"filename" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"failure_reason" text,
	"last_error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"storage_key" text,
	"size" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"downloaded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "media_items_due_idx" ON "media_items" USING btree ("next_attempt_at") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "media_items_failed_idx" ON "media_items" USING btree ("wamid") WHERE state = 'failed';--> statement-breakpoint
-- Media messages stored before this migration: queued like new ones (their URLs may have expired by now:
-- they then fail as "expired", which says so in the thread rather than staying silent).
INSERT INTO "media_items" ("wamid", "media_id", "kind", "mime_type", "filename")
SELECT "wamid", "media" ->> 'id', "type", "media" ->> 'mimeType', "media" ->> 'filename'
FROM "messages"
WHERE "type" IN ('image', 'audio', 'video', 'document', 'sticker') AND coalesce("media" ->> 'id', '') <> ''
ON CONFLICT DO NOTHING;
