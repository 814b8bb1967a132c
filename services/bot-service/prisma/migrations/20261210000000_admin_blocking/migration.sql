-- The admin panel (issue 19): an admin may block a child bot; its webhooks are then answered 200
-- and dropped at the gateway, and the bots context answers nothing for it.
ALTER TABLE "bot_service"."bots" ADD COLUMN "blocked_at" TIMESTAMPTZ(3);
ALTER TABLE "bot_service"."bots" ADD COLUMN "blocked_reason" TEXT;
