-- The admin panel (issue 19): an admin may grant a subscription by hand (no invoice paid for
-- it) and revoke one, each with a reason.
ALTER TABLE "payment_service"."subscriptions" ALTER COLUMN "invoice_id" DROP NOT NULL;
ALTER TABLE "payment_service"."subscriptions" ADD COLUMN "granted_by" BIGINT;
ALTER TABLE "payment_service"."subscriptions" ADD COLUMN "admin_reason" TEXT;
-- Every subscription comes from exactly one source: a paid invoice or an admin's grant.
ALTER TABLE "payment_service"."subscriptions" ADD CONSTRAINT "subscriptions_source_check"
  CHECK (("invoice_id" IS NULL) <> ("granted_by" IS NULL));
