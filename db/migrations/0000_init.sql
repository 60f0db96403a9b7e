CREATE TABLE "account_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"event_id" bigint,
	"waba_id" text,
	"phone_number_id" text,
	"field" text NOT NULL,
	"event_type" text,
	"occurred_at" timestamp with time zone,
	"payload" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "business_numbers" (
	"phone_number_id" text PRIMARY KEY NOT NULL,
	"display_phone_number" text,
	"waba_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"wa_id" text,
	"user_id" text,
	"name" text,
	"username" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"phone_number_id" text NOT NULL,
	"contact_id" bigint NOT NULL,
	"last_message_at" timestamp with time zone,
	"last_message_wamid" text,
	"unread_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"wamid" text PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"direction" text NOT NULL,
	"type" text NOT NULL,
	"subtype" text,
	"text" text,
	"sent_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reply_to_wamid" text,
	"forwarded" boolean DEFAULT false NOT NULL,
	"frequently_forwarded" boolean DEFAULT false NOT NULL,
	"media" jsonb,
	"target_wamid" text,
	"status" text NOT NULL,
	"status_rank" smallint DEFAULT 0 NOT NULL,
	"status_at" timestamp with time zone,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"placeholder" boolean DEFAULT false NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb,
	"event_id" bigint
);
--> statement-breakpoint
CREATE TABLE "status_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
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
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"body" "bytea" NOT NULL,
	"body_sha256" "bytea" NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_phone_number_id_business_numbers_phone_number_id_fk" FOREIGN KEY ("phone_number_id") REFERENCES "public"."business_numbers"("phone_number_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_events_dedupe_key" ON "account_events" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "account_events_received_idx" ON "account_events" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_wa_id_key" ON "contacts" USING btree ("wa_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_user_id_key" ON "contacts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_number_contact_key" ON "conversations" USING btree ("phone_number_id","contact_id");--> statement-breakpoint
CREATE INDEX "conversations_activity_idx" ON "conversations" USING btree ("last_message_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "conversations_number_activity_idx" ON "conversations" USING btree ("phone_number_id","last_message_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "conversations_contact_idx" ON "conversations" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "messages_thread_idx" ON "messages" USING btree ("conversation_id","sent_at" DESC NULLS LAST,"wamid" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_target_idx" ON "messages" USING btree ("target_wamid") WHERE target_wamid is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "status_events_wamid_status_time_key" ON "status_events" USING btree ("wamid","status","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_body_sha256_key" ON "webhook_events" USING btree ("body_sha256");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("next_attempt_at","id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_failed_idx" ON "webhook_events" USING btree ("id") WHERE state = 'failed';