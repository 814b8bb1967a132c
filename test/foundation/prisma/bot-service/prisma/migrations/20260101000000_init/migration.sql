-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "bot_service";

-- CreateTable
CREATE TABLE "bot_service"."bots" (
    "bot_id" BIGINT NOT NULL,
    "owner_telegram_id" BIGINT NOT NULL,
    "username" TEXT NOT NULL,
    "greeting" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bots_pkey" PRIMARY KEY ("bot_id")
);

-- CreateTable
CREATE TABLE "bot_service"."bot_audience" (
    "bot_id" BIGINT NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bot_audience_pkey" PRIMARY KEY ("bot_id","telegram_id")
);

-- CreateIndex
CREATE INDEX "bots_owner_telegram_id_idx" ON "bot_service"."bots"("owner_telegram_id");

-- AddForeignKey
ALTER TABLE "bot_service"."bot_audience" ADD CONSTRAINT "bot_audience_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "bot_service"."bots"("bot_id") ON DELETE CASCADE ON UPDATE CASCADE;
