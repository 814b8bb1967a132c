-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "bot_service";

-- CreateEnum
CREATE TYPE "bot_service"."conversation_step" AS ENUM ('IDLE', 'AWAITING_TOKEN', 'CHOOSING_BOT_TO_REMOVE', 'CHOOSING_BOT_FOR_GREETING', 'AWAITING_GREETING');

-- CreateTable
CREATE TABLE "bot_service"."bots" (
    "bot_id" BIGINT NOT NULL,
    "owner_telegram_id" BIGINT NOT NULL,
    "username" TEXT NOT NULL,
    "greeting" TEXT NOT NULL,
    "token_ciphertext" BYTEA NOT NULL,
    "token_key_id" TEXT NOT NULL,
    "token_sha256" BYTEA NOT NULL,
    "webhook_secret_sha256" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bots_pkey" PRIMARY KEY ("bot_id")
);

-- CreateTable
CREATE TABLE "bot_service"."bot_audience" (
    "bot_id" BIGINT NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bot_audience_pkey" PRIMARY KEY ("bot_id","telegram_id")
);

-- CreateTable
CREATE TABLE "bot_service"."main_bot_conversations" (
    "chat_id" BIGINT NOT NULL,
    "step" "bot_service"."conversation_step" NOT NULL,
    "bot_id" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "main_bot_conversations_pkey" PRIMARY KEY ("chat_id")
);

-- CreateTable
CREATE TABLE "bot_service"."processed_effects" (
    "effect_key" TEXT NOT NULL,
    "result" BYTEA,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_effects_pkey" PRIMARY KEY ("effect_key")
);

-- CreateTable
CREATE TABLE "bot_service"."outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "msg_id" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bot_service"."outgoing_replies" (
    "id" BIGSERIAL NOT NULL,
    "effect_key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "text" TEXT NOT NULL,
    "reply_markup" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "failure" TEXT,

    CONSTRAINT "outgoing_replies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "bots_token_sha256_key" ON "bot_service"."bots"("token_sha256");

-- CreateIndex
CREATE INDEX "bots_owner_telegram_id_idx" ON "bot_service"."bots"("owner_telegram_id");

-- CreateIndex
CREATE INDEX "processed_effects_processed_at_idx" ON "bot_service"."processed_effects"("processed_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "bot_service"."outbox_events"("published_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "outgoing_replies_effect_key_seq_key" ON "bot_service"."outgoing_replies"("effect_key", "seq");

-- AddForeignKey
ALTER TABLE "bot_service"."bot_audience" ADD CONSTRAINT "bot_audience_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "bot_service"."bots"("bot_id") ON DELETE CASCADE ON UPDATE CASCADE;
