-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "publisher_service";

-- CreateEnum
CREATE TYPE "publisher_service"."chat_kind" AS ENUM ('CHANNEL', 'GROUP', 'SUPERGROUP');

-- CreateEnum
CREATE TYPE "publisher_service"."post_status" AS ENUM ('SCHEDULED', 'PUBLISHING', 'PUBLISHED', 'CANCELLED');

-- CreateTable
CREATE TABLE "publisher_service"."channels" (
    "chat_id" BIGINT NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "owner_telegram_id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,
    "kind" "publisher_service"."chat_kind" NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("chat_id")
);

-- CreateTable
CREATE TABLE "publisher_service"."posts" (
    "id" BIGSERIAL NOT NULL,
    "owner_telegram_id" BIGINT NOT NULL,
    "text" TEXT NOT NULL,
    "entities" JSONB NOT NULL,
    "photo" TEXT,
    "buttons" JSONB NOT NULL,
    "publish_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "publisher_service"."post_status" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),
    "report_lease_until" TIMESTAMPTZ(3),
    "report_sent_at" TIMESTAMPTZ(3),
    "report_failure" TEXT,

    CONSTRAINT "posts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "publisher_service"."post_deliveries" (
    "post_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,
    "bot_id" BIGINT,
    "lease_until" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "message_id" BIGINT,
    "error_code" INTEGER,
    "failure" TEXT,

    CONSTRAINT "post_deliveries_pkey" PRIMARY KEY ("post_id","chat_id")
);

-- CreateTable
CREATE TABLE "publisher_service"."posting_grants" (
    "telegram_id" BIGINT NOT NULL,
    "granted_by" BIGINT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "posting_grants_pkey" PRIMARY KEY ("telegram_id")
);

-- CreateTable
CREATE TABLE "publisher_service"."processed_effects" (
    "effect_key" TEXT NOT NULL,
    "result" BYTEA,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_effects_pkey" PRIMARY KEY ("effect_key")
);

-- CreateTable
CREATE TABLE "publisher_service"."outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "msg_id" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "channels_owner_telegram_id_idx" ON "publisher_service"."channels"("owner_telegram_id");

-- CreateIndex
CREATE INDEX "posts_status_publish_at_idx" ON "publisher_service"."posts"("status", "publish_at");

-- CreateIndex
CREATE INDEX "posts_owner_telegram_id_publish_at_idx" ON "publisher_service"."posts"("owner_telegram_id", "publish_at");

-- CreateIndex
CREATE INDEX "processed_effects_processed_at_idx" ON "publisher_service"."processed_effects"("processed_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "publisher_service"."outbox_events"("published_at", "id");

-- AddForeignKey
ALTER TABLE "publisher_service"."post_deliveries" ADD CONSTRAINT "post_deliveries_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "publisher_service"."posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
