CREATE TABLE "message_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"waba_id" text NOT NULL,
	"name" text NOT NULL,
	"language" text NOT NULL,
	"category" text,
	"status" text NOT NULL,
	"parameter_format" text,
	"components" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "send_pacing" (
	"phone_number_id" text PRIMARY KEY NOT NULL,
	"next_slot_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "template_syncs" (
	"waba_id" text PRIMARY KEY NOT NULL,
	"synced_at" timestamp with time zone,
	"requested_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"mime_type" text NOT NULL,
	"filename" text,
	"size" bigint NOT NULL,
	"storage_key" text NOT NULL,
	"created_by_user_id" text,
	"created_by_api_key_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "media_items" ALTER COLUMN "media_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "last_inbound_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "client_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sent_by_user_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sent_by_api_key_id" bigint;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sent_by_name" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "outbox_state" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "next_send_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_templates_waba_name_idx" ON "message_templates" USING btree ("waba_id","name","language");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sent_by_user_id_users_id_fk" FOREIGN KEY ("sent_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_client_id_key" ON "messages" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "messages_outbox_due_idx" ON "messages" USING btree ("next_send_at","id") WHERE outbox_state = 'queued';--> statement-breakpoint
CREATE INDEX "messages_outbox_conversation_idx" ON "messages" USING btree ("conversation_id","id") WHERE outbox_state = 'queued';--> statement-breakpoint
-- The 24-hour window of existing conversations: from the customer's latest message by Meta's timestamp
-- (lib/outbox/service-window.ts says which messages count; system notices, edits and revokes do not).
UPDATE "conversations" c SET "last_inbound_at" = m.at
FROM (SELECT "conversation_id", max("sent_at") AS at FROM "messages"
      WHERE "direction" = 'inbound' AND NOT "placeholder" AND "type" NOT IN ('system', 'edit', 'revoke')
      GROUP BY "conversation_id") m
WHERE m."conversation_id" = c."id";
