CREATE TABLE IF NOT EXISTS "erased_wamids" (
	"wamid_sha256" "bytea" PRIMARY KEY NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_sent_at_idx" ON "messages" USING btree ("sent_at","id");