CREATE TABLE "delivery_stats_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"phone_number_id" text NOT NULL,
	"status" text NOT NULL,
	"error_code" integer DEFAULT 0 NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "delivery_stats_hourly_hour_phone_number_id_status_error_code_pk" PRIMARY KEY("hour","phone_number_id","status","error_code")
);
--> statement-breakpoint
CREATE TABLE "delivery_timings" (
	"wamid" text PRIMARY KEY NOT NULL,
	"phone_number_id" text NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"delivered_after_s" integer GENERATED ALWAYS AS (case when delivered_at >= sent_at then extract(epoch from delivered_at - sent_at)::integer end) STORED,
	"read_after_s" integer GENERATED ALWAYS AS (case when read_at >= sent_at then extract(epoch from read_at - sent_at)::integer end) STORED
);
--> statement-breakpoint
CREATE TABLE "message_stats_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"phone_number_id" text NOT NULL,
	"direction" text NOT NULL,
	"type" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "message_stats_hourly_hour_phone_number_id_direction_type_pk" PRIMARY KEY("hour","phone_number_id","direction","type")
);
--> statement-breakpoint
CREATE TABLE "webhook_stats_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"shard" smallint DEFAULT 0 NOT NULL,
	"count" bigint NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_stats_hourly_hour_kind_reason_shard_pk" PRIMARY KEY("hour","kind","reason","shard")
);
--> statement-breakpoint
ALTER TABLE "status_events" ADD COLUMN "phone_number_id" text;--> statement-breakpoint
ALTER TABLE "status_events" ADD COLUMN "error_code" integer;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "delivery_timings_sent_idx" ON "delivery_timings" USING btree ("sent_at","phone_number_id","delivered_after_s","read_after_s","failed_at") WHERE sent_at is not null;--> statement-breakpoint
CREATE INDEX "delivery_timings_number_sent_idx" ON "delivery_timings" USING btree ("phone_number_id","sent_at","delivered_after_s","read_after_s","failed_at") WHERE sent_at is not null;--> statement-breakpoint
CREATE INDEX "messages_failed_idx" ON "messages" USING btree ("status_at" DESC NULLS LAST,"wamid" DESC NULLS LAST) WHERE status = 'failed';--> statement-breakpoint
CREATE INDEX "messages_failed_code_idx" ON "messages" USING btree ((errors -> 0 ->> 'code'),"status_at" DESC NULLS LAST,"wamid" DESC NULLS LAST) WHERE status = 'failed';--> statement-breakpoint
-- Backfill for databases that already hold events: the new columns, then every rollup from its source rows.
UPDATE "status_events" s SET "phone_number_id" = c."phone_number_id"
FROM "messages" m JOIN "conversations" c ON c."id" = m."conversation_id"
WHERE m."wamid" = s."wamid" AND s."phone_number_id" IS NULL;--> statement-breakpoint
UPDATE "status_events" SET "error_code" = ("errors" -> 0 ->> 'code')::integer
WHERE ("errors" -> 0 ->> 'code') ~ '^[0-9]{1,9}$';--> statement-breakpoint
INSERT INTO "delivery_stats_hourly" ("hour", "phone_number_id", "status", "error_code", "count")
SELECT date_trunc('hour', "occurred_at", 'UTC'), coalesce("phone_number_id", ''), "status", coalesce("error_code", 0), count(*)
FROM "status_events" GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "delivery_timings" ("wamid", "phone_number_id", "sent_at", "delivered_at", "read_at", "failed_at")
SELECT "wamid", coalesce(min("phone_number_id"), ''),
  min("occurred_at") FILTER (WHERE "status" = 'sent'), min("occurred_at") FILTER (WHERE "status" = 'delivered'),
  min("occurred_at") FILTER (WHERE "status" = 'read'), min("occurred_at") FILTER (WHERE "status" = 'failed')
FROM "status_events" WHERE "status" IN ('sent', 'delivered', 'read', 'failed') GROUP BY "wamid";--> statement-breakpoint
INSERT INTO "message_stats_hourly" ("hour", "phone_number_id", "direction", "type", "count")
SELECT date_trunc('hour', m."sent_at", 'UTC'), c."phone_number_id", m."direction", m."type", count(*)
FROM "messages" m JOIN "conversations" c ON c."id" = m."conversation_id"
WHERE NOT m."placeholder" GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "webhook_stats_hourly" ("hour", "kind", "count", "last_at")
SELECT date_trunc('hour', "received_at", 'UTC'), 'received', count(*), max("received_at") FROM "webhook_events" GROUP BY 1;--> statement-breakpoint
INSERT INTO "webhook_stats_hourly" ("hour", "kind", "count", "last_at")
SELECT date_trunc('hour', "processed_at", 'UTC'), 'processed', count(*), max("processed_at") FROM "webhook_events"
WHERE "state" = 'processed' AND "processed_at" IS NOT NULL GROUP BY 1;--> statement-breakpoint
INSERT INTO "webhook_stats_hourly" ("hour", "kind", "count", "last_at")
SELECT date_trunc('hour', "received_at", 'UTC'), 'failed', count(*), max("received_at") FROM "webhook_events"
WHERE "state" = 'failed' GROUP BY 1;
--> statement-breakpoint
UPDATE "webhook_events" SET "failed_at" = coalesce("processed_at", "received_at") WHERE "state" = 'failed';
