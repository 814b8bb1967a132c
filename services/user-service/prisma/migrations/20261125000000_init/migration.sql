-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "user_service";

-- CreateTable
CREATE TABLE "user_service"."users" (
    "telegram_id" BIGINT NOT NULL,
    "username" TEXT,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT,
    "language_code" TEXT,
    "first_bot_id" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("telegram_id")
);

-- CreateTable
CREATE TABLE "user_service"."processed_effects" (
    "effect_key" TEXT NOT NULL,
    "result" BYTEA,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_effects_pkey" PRIMARY KEY ("effect_key")
);

-- CreateTable
CREATE TABLE "user_service"."outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "msg_id" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "users_created_at_idx" ON "user_service"."users"("created_at");

-- CreateIndex
CREATE INDEX "users_last_seen_at_idx" ON "user_service"."users"("last_seen_at");

-- CreateIndex
CREATE INDEX "processed_effects_processed_at_idx" ON "user_service"."processed_effects"("processed_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "user_service"."outbox_events"("published_at", "id");
