-- "played" (a voice message was played) joins the delivery order between read and failed
-- (lib/whatsapp/status.ts DELIVERY_ORDER), so failed moves from rank 4 to 5.
UPDATE "messages" SET "status_rank" = 5 WHERE "status" = 'failed' AND "status_rank" = 4;--> statement-breakpoint
-- Played statuses already stored as history now move their message forward (never a failed one).
UPDATE "messages" m SET "status" = 'played', "status_rank" = 4, "status_at" = p.occurred_at
FROM (SELECT "wamid", min("occurred_at") AS occurred_at FROM "status_events" WHERE "status" = 'played' GROUP BY "wamid") p
WHERE m."wamid" = p."wamid" AND m."status_rank" < 4;--> statement-breakpoint
-- The funnel counts a played message as read.
INSERT INTO "delivery_timings" ("wamid", "phone_number_id", "read_at")
SELECT "wamid", min("phone_number_id"), min("occurred_at") FROM "status_events"
WHERE "status" = 'played' AND "phone_number_id" IS NOT NULL GROUP BY "wamid"
ON CONFLICT ("wamid") DO UPDATE SET "read_at" = least("delivery_timings"."read_at", excluded."read_at");
