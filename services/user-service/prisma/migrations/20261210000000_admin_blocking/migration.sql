-- The admin panel (issue 19): an admin may block a user; the main bot then ignores them.
ALTER TABLE "user_service"."users" ADD COLUMN "blocked_at" TIMESTAMPTZ(3);
ALTER TABLE "user_service"."users" ADD COLUMN "blocked_reason" TEXT;
