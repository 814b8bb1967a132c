-- Stories (postStory on a business connection) and the business connections they go through.

-- CreateEnum
CREATE TYPE "publisher_service"."story_status" AS ENUM ('POSTING', 'POSTED', 'FAILED');

-- CreateEnum
CREATE TYPE "publisher_service"."story_media_kind" AS ENUM ('PHOTO', 'VIDEO');

-- CreateTable
CREATE TABLE "publisher_service"."business_connections" (
    "connection_id" TEXT NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "user_telegram_id" BIGINT NOT NULL,
    "user_chat_id" BIGINT NOT NULL,
    "can_manage_stories" BOOLEAN NOT NULL,
    "is_enabled" BOOLEAN NOT NULL,
    "date" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "business_connections_pkey" PRIMARY KEY ("connection_id")
);

-- CreateTable
CREATE TABLE "publisher_service"."stories" (
    "id" BIGSERIAL NOT NULL,
    "owner_telegram_id" BIGINT NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "business_connection_id" TEXT NOT NULL,
    "media_kind" "publisher_service"."story_media_kind" NOT NULL,
    "media_url" TEXT NOT NULL,
    "active_period" INTEGER NOT NULL,
    "caption" TEXT NOT NULL,
    "status" "publisher_service"."story_status" NOT NULL,
    "effect_key" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "telegram_chat_id" BIGINT,
    "telegram_story_id" BIGINT,
    "error_code" INTEGER,
    "failure" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "posted_at" TIMESTAMPTZ(3),

    CONSTRAINT "stories_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "business_connections_bot_id_user_telegram_id_idx" ON "publisher_service"."business_connections"("bot_id", "user_telegram_id");

-- CreateIndex
CREATE UNIQUE INDEX "stories_effect_key_key" ON "publisher_service"."stories"("effect_key");

-- CreateIndex
CREATE INDEX "stories_owner_telegram_id_created_at_idx" ON "publisher_service"."stories"("owner_telegram_id", "created_at");
