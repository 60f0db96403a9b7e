-- The two tables that grow fastest become partitioned by month (issue 14 §2), so retention drops a whole
-- old month instead of deleting rows: webhook_events by received_at, status_events by occurred_at (already
-- in their replay check, so that unique index stays exact). Written by hand: drizzle-kit knows no
-- partitioning. Each table is rebuilt: the old one renamed, a partitioned one created with the same columns
-- and id sequence, a partition for every month in the data (from 2000 to two months ahead) and the months up
-- to two ahead, a default partition for any other time (Meta's timestamps can be anything), the rows copied
-- with their ids, the old table dropped, the indexes built once. db/queries/partitions.ts adds later months.
--
-- A body's hash moves to a table of its own: a unique index on a partitioned table must hold the partition
-- key, and Meta's retry of a body arrives at another time, maybe in another month.
CREATE TABLE "webhook_event_hashes" (
	"sha256" "bytea" PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "webhook_event_hashes" ("sha256", "received_at") SELECT "body_sha256", "received_at" FROM "webhook_events";--> statement-breakpoint
CREATE INDEX "webhook_event_hashes_received_idx" ON "webhook_event_hashes" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "webhook_events" RENAME TO "webhook_events_unpartitioned";--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigint DEFAULT nextval('webhook_events_id_seq'::regclass) NOT NULL,
	"body" "bytea" NOT NULL,
	"body_sha256" "bytea" NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"last_error" text,
	"failed_at" timestamp with time zone,
	"body_deleted_at" timestamp with time zone
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
ALTER SEQUENCE "webhook_events_id_seq" OWNED BY "webhook_events"."id";--> statement-breakpoint
ALTER TABLE "status_events" RENAME TO "status_events_unpartitioned";--> statement-breakpoint
CREATE TABLE "status_events" (
	"id" bigint DEFAULT nextval('status_events_id_seq'::regclass) NOT NULL,
	"wamid" text NOT NULL,
	"status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recipient_id" text,
	"recipient_user_id" text,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pricing" jsonb,
	"conversation" jsonb,
	"raw" jsonb,
	"event_id" bigint,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"phone_number_id" text,
	"error_code" integer
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
ALTER SEQUENCE "status_events_id_seq" OWNED BY "status_events"."id";--> statement-breakpoint
-- Month arithmetic in UTC (timestamps without a zone): the session's zone may have summer time.
DO $$
DECLARE
	t record;
	m timestamp;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('webhook_events', 'received_at'), ('status_events', 'occurred_at')) AS v(parent, key) LOOP
		FOR m IN EXECUTE format(
			'SELECT DISTINCT date_trunc(''month'', %1$I AT TIME ZONE ''UTC'') FROM %2$I
			  WHERE %1$I >= ''2000-01-01 00:00:00+00'' AND %1$I < (date_trunc(''month'', now() AT TIME ZONE ''UTC'') + interval ''3 months'') AT TIME ZONE ''UTC''
			 UNION SELECT date_trunc(''month'', now() AT TIME ZONE ''UTC'') + make_interval(months => n) FROM generate_series(0, 2) n',
			t.key, t.parent || '_unpartitioned')
		LOOP
			EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
				t.parent || '_' || to_char(m, 'YYYY_MM'), t.parent,
				(m AT TIME ZONE 'UTC'), ((m + interval '1 month') AT TIME ZONE 'UTC'));
		END LOOP;
		EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t.parent || '_default', t.parent);
	END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "webhook_events" ("id", "body", "body_sha256", "received_at", "state", "attempts", "next_attempt_at", "processed_at", "last_error", "failed_at", "body_deleted_at")
SELECT "id", "body", "body_sha256", "received_at", "state", "attempts", "next_attempt_at", "processed_at", "last_error", "failed_at", "body_deleted_at" FROM "webhook_events_unpartitioned";--> statement-breakpoint
INSERT INTO "status_events" ("id", "wamid", "status", "occurred_at", "recipient_id", "recipient_user_id", "errors", "pricing", "conversation", "raw", "event_id", "received_at", "phone_number_id", "error_code")
SELECT "id", "wamid", "status", "occurred_at", "recipient_id", "recipient_user_id", "errors", "pricing", "conversation", "raw", "event_id", "received_at", "phone_number_id", "error_code" FROM "status_events_unpartitioned";--> statement-breakpoint
DROP TABLE "webhook_events_unpartitioned";--> statement-breakpoint
DROP TABLE "status_events_unpartitioned";--> statement-breakpoint
-- The primary keys start with id: an update or lookup by id alone (the processor, the error log) probes one
-- index per month.
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_pkey" PRIMARY KEY("id","received_at");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("next_attempt_at","id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_failed_idx" ON "webhook_events" USING btree ("id") WHERE state = 'failed';--> statement-breakpoint
ALTER TABLE "status_events" ADD CONSTRAINT "status_events_pkey" PRIMARY KEY("id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "status_events_wamid_status_time_key" ON "status_events" USING btree ("wamid","status","occurred_at");--> statement-breakpoint
ANALYZE "webhook_events";--> statement-breakpoint
ANALYZE "status_events";
