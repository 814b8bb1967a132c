-- AlterTable
ALTER TABLE "user_service"."users" ADD COLUMN "language_code" TEXT;
