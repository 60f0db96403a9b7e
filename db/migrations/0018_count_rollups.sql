-- Counts kept up to date instead of counted (issue 14 §6): the inbox tabs' conversations per status, and
-- the analytics funnel with its median delivery and read times. Triggers keep them, so every writer (the
-- processor, the status route, the snooze waker, erasure) is covered by construction. Each trigger is
-- created before its backfill: CREATE TRIGGER locks the table against writes until the migration commits,
-- so no row is missed or counted twice.

CREATE TABLE "conversation_status_counts" (
	"phone_number_id" text NOT NULL,
	"status" text NOT NULL,
	"delta" bigint NOT NULL
);
--> statement-breakpoint
-- The rollups' keys carry their counts (INCLUDE, which drizzle cannot spell: added here by hand), so a
-- median reads their indexes alone: a middle bucket's rows lie scattered over its days' heap pages.
CREATE TABLE "delivery_timing_buckets" (
	"day" timestamp with time zone NOT NULL,
	"phone_number_id" text NOT NULL,
	"kind" text NOT NULL,
	"bucket" integer NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "delivery_timing_buckets_pkey" PRIMARY KEY("day","phone_number_id","kind","bucket") INCLUDE ("count")
);
--> statement-breakpoint
CREATE TABLE "delivery_timing_seconds" (
	"kind" text NOT NULL,
	"bucket" integer NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"phone_number_id" text NOT NULL,
	"seconds" integer NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "delivery_timing_seconds_pkey" PRIMARY KEY("kind","bucket","day","phone_number_id","seconds") INCLUDE ("count")
);
--> statement-breakpoint
-- Only the tabs' counts read it, and they no longer count.
DROP INDEX "conversations_status_idx";--> statement-breakpoint

-- ---- Conversations per number and status: appended changes, no key, so concurrent writers never wait on
-- one row. New and deleted conversations are counted per statement (transition tables); an update only
-- when it moves a conversation between statuses or numbers: the WHEN clause is all that the common update
-- (a new message: last_message_at, unread_count) pays.
CREATE FUNCTION "conversation_status_counts_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO conversation_status_counts (phone_number_id, status, delta)
    SELECT phone_number_id, status, count(*) FROM new_conversations GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO conversation_status_counts (phone_number_id, status, delta)
    SELECT phone_number_id, status, -count(*) FROM old_conversations GROUP BY 1, 2;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO conversation_status_counts (phone_number_id, status, delta)
    VALUES (OLD.phone_number_id, OLD.status, -1), (NEW.phone_number_id, NEW.status, 1);
  ELSE
    -- TRUNCATE fires no delete trigger: the counts go with the rows.
    DELETE FROM conversation_status_counts;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "conversation_status_counts_inserted" AFTER INSERT ON "conversations"
REFERENCING NEW TABLE AS new_conversations FOR EACH STATEMENT EXECUTE FUNCTION conversation_status_counts_add();--> statement-breakpoint
CREATE TRIGGER "conversation_status_counts_deleted" AFTER DELETE ON "conversations"
REFERENCING OLD TABLE AS old_conversations FOR EACH STATEMENT EXECUTE FUNCTION conversation_status_counts_add();--> statement-breakpoint
CREATE TRIGGER "conversation_status_counts_moved" AFTER UPDATE OF "status", "phone_number_id" ON "conversations"
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.phone_number_id IS DISTINCT FROM NEW.phone_number_id)
EXECUTE FUNCTION conversation_status_counts_add();--> statement-breakpoint
CREATE TRIGGER "conversation_status_counts_truncated" AFTER TRUNCATE ON "conversations"
FOR EACH STATEMENT EXECUTE FUNCTION conversation_status_counts_add();--> statement-breakpoint
INSERT INTO "conversation_status_counts" ("phone_number_id", "status", "delta")
SELECT "phone_number_id", "status", count(*) FROM "conversations" GROUP BY 1, 2;--> statement-breakpoint

-- ---- Delivery times per day: a bucket per whole number of seconds below 32, then 16 per doubling (the top
-- 5 bits kept: at most 1/16 wide). A median's bucket comes from delivery_timing_buckets, a few hundred rows
-- per day; its exact value from that bucket's rows in delivery_timing_seconds. Immutable SQL: inlined.
CREATE FUNCTION "delivery_seconds_bucket"(seconds integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (seconds >> width_bucket(seconds, ARRAY[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
    262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432, 67108864, 134217728, 268435456, 536870912, 1073741824]))
    << width_bucket(seconds, ARRAY[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
    262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432, 67108864, 134217728, 268435456, 536870912, 1073741824])
$$;
--> statement-breakpoint
-- What a statement changed in delivery_timings, as rows taken away (-1) and added (+1), netted per key: a
-- delivered status moves one message from no delivery time to one, and touches two rows here.
CREATE FUNCTION "delivery_timing_rollups_add"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_timings'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_timings'
    ELSE 'SELECT -1 AS sign, * FROM old_timings UNION ALL SELECT 1, * FROM new_timings' END;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM delivery_timing_buckets;
    DELETE FROM delivery_timing_seconds;
    RETURN NULL;
  END IF;
  EXECUTE format($sql$
    WITH changes AS (%s),
    counted AS (
      SELECT date_trunc('day', c.sent_at, 'UTC') AS day, c.phone_number_id, k.kind, k.bucket, k.seconds, c.sign
      FROM changes c
      CROSS JOIN LATERAL (VALUES
        ('sent', 0, NULL::integer),
        ('failed', CASE WHEN c.failed_at IS NOT NULL THEN 0 END, NULL),
        ('delivered', delivery_seconds_bucket(c.delivered_after_s), c.delivered_after_s),
        ('read', delivery_seconds_bucket(c.read_after_s), c.read_after_s)) k(kind, bucket, seconds)
      WHERE c.sent_at IS NOT NULL AND k.bucket IS NOT NULL
    ),
    buckets AS (
      INSERT INTO delivery_timing_buckets AS b (day, phone_number_id, kind, bucket, count)
      SELECT day, phone_number_id, kind, bucket, sum(sign) FROM counted
      GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
      ON CONFLICT (day, phone_number_id, kind, bucket) DO UPDATE SET count = b.count + excluded.count
    )
    INSERT INTO delivery_timing_seconds AS s (kind, bucket, day, phone_number_id, seconds, count)
    SELECT kind, bucket, day, phone_number_id, seconds, sum(sign) FROM counted WHERE seconds IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (kind, bucket, day, phone_number_id, seconds) DO UPDATE SET count = s.count + excluded.count
  $sql$, changes);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "delivery_timing_rollups_inserted" AFTER INSERT ON "delivery_timings"
REFERENCING NEW TABLE AS new_timings FOR EACH STATEMENT EXECUTE FUNCTION delivery_timing_rollups_add();--> statement-breakpoint
CREATE TRIGGER "delivery_timing_rollups_updated" AFTER UPDATE ON "delivery_timings"
REFERENCING OLD TABLE AS old_timings NEW TABLE AS new_timings FOR EACH STATEMENT EXECUTE FUNCTION delivery_timing_rollups_add();--> statement-breakpoint
CREATE TRIGGER "delivery_timing_rollups_deleted" AFTER DELETE ON "delivery_timings"
REFERENCING OLD TABLE AS old_timings FOR EACH STATEMENT EXECUTE FUNCTION delivery_timing_rollups_add();--> statement-breakpoint
CREATE TRIGGER "delivery_timing_rollups_truncated" AFTER TRUNCATE ON "delivery_timings"
FOR EACH STATEMENT EXECUTE FUNCTION delivery_timing_rollups_add();--> statement-breakpoint
INSERT INTO "delivery_timing_buckets" ("day", "phone_number_id", "kind", "bucket", "count")
SELECT date_trunc('day', t."sent_at", 'UTC'), t."phone_number_id", k."kind", k."bucket", count(*)
FROM "delivery_timings" t
CROSS JOIN LATERAL (VALUES
  ('sent', 0),
  ('failed', CASE WHEN t."failed_at" IS NOT NULL THEN 0 END),
  ('delivered', delivery_seconds_bucket(t."delivered_after_s")),
  ('read', delivery_seconds_bucket(t."read_after_s"))) k("kind", "bucket")
WHERE t."sent_at" IS NOT NULL AND k."bucket" IS NOT NULL
GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "delivery_timing_seconds" ("kind", "bucket", "day", "phone_number_id", "seconds", "count")
SELECT k."kind", delivery_seconds_bucket(k."seconds"), date_trunc('day', t."sent_at", 'UTC'), t."phone_number_id", k."seconds", count(*)
FROM "delivery_timings" t
CROSS JOIN LATERAL (VALUES ('delivered', t."delivered_after_s"), ('read', t."read_after_s")) k("kind", "seconds")
WHERE t."sent_at" IS NOT NULL AND k."seconds" IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
