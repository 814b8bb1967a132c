-- Announcements in each recipient's language (issue 24): the versions by language an announcement
-- was made with (AnnounceRequest.translations, "en"/"ru" to text), and each recipient's language as
-- the users context listed it ('' when it did not say: then the announcement's text).

-- AlterTable
ALTER TABLE "publisher_service"."announcements" ADD COLUMN "translations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "publisher_service"."announcement_deliveries" ADD COLUMN "locale" TEXT NOT NULL DEFAULT '';
