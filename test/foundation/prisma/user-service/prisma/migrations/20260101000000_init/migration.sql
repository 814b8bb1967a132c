-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "user_service";

-- CreateTable
CREATE TABLE "user_service"."users" (
    "telegram_id" BIGINT NOT NULL,
    "first_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("telegram_id")
);
