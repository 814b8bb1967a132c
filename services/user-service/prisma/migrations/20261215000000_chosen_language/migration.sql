-- Russian and English (issue 24): the language a person chose with /language; NULL means they
-- never chose, and their language follows Telegram's language_code.
ALTER TABLE "user_service"."users" ADD COLUMN "chosen_language" TEXT;
ALTER TABLE "user_service"."users" ADD CONSTRAINT "users_chosen_language_check" CHECK ("chosen_language" IN ('en', 'ru'));
