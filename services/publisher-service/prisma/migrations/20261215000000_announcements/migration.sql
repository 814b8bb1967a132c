-- Announcements: an admin's message from the main bot to every user, and one row per recipient.

-- CreateEnum
CREATE TYPE "publisher_service"."announcement_status" AS ENUM ('PREPARING', 'SENDING', 'DONE');

-- CreateTable
CREATE TABLE "publisher_service"."announcements" (
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "admin_telegram_id" BIGINT NOT NULL,
    "text" TEXT NOT NULL,
    "status" "publisher_service"."announcement_status" NOT NULL,
    "listed_through" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "announcements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "publisher_service"."announcement_deliveries" (
    "announcement_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "message_id" BIGINT,
    "error_code" INTEGER,
    "failure" TEXT,

    CONSTRAINT "announcement_deliveries_pkey" PRIMARY KEY ("announcement_id","chat_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "announcements_idempotency_key_key" ON "publisher_service"."announcements"("idempotency_key");

-- CreateIndex
CREATE INDEX "announcements_created_at_idx" ON "publisher_service"."announcements"("created_at");

-- CreateIndex
CREATE INDEX "announcement_deliveries_announcement_id_sent_at_idx" ON "publisher_service"."announcement_deliveries"("announcement_id", "sent_at");

-- AddForeignKey
ALTER TABLE "publisher_service"."announcement_deliveries" ADD CONSTRAINT "announcement_deliveries_announcement_id_fkey" FOREIGN KEY ("announcement_id") REFERENCES "publisher_service"."announcements"("id") ON DELETE CASCADE ON UPDATE CASCADE;
