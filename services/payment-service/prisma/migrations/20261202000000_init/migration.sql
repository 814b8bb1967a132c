-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "payment_service";

-- CreateTable
CREATE TABLE "payment_service"."plans" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "period_days" INTEGER NOT NULL,
    "price_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "plans_kind_check" CHECK ("kind" IN ('bots', 'stories', 'posting')),
    CONSTRAINT "plans_period_days_check" CHECK ("period_days" > 0),
    CONSTRAINT "plans_price_minor_check" CHECK ("price_minor" > 0)
);

-- CreateTable
CREATE TABLE "payment_service"."invoices" (
    "id" TEXT NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_invoice_id" TEXT,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "pay_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "paid_at" TIMESTAMPTZ(3),
    "effect_key" TEXT,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "invoices_provider_check" CHECK ("provider" IN ('cryptobot', 'platega')),
    CONSTRAINT "invoices_status_check" CHECK ("status" IN ('pending', 'paid', 'expired', 'canceled', 'chargebacked')),
    CONSTRAINT "invoices_amount_minor_check" CHECK ("amount_minor" > 0)
);

-- CreateTable
CREATE TABLE "payment_service"."subscriptions" (
    "id" TEXT NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "invoice_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "subscriptions_kind_check" CHECK ("kind" IN ('bots', 'stories', 'posting')),
    CONSTRAINT "subscriptions_status_check" CHECK ("status" IN ('active', 'expired', 'revoked'))
);

-- CreateTable
CREATE TABLE "payment_service"."processed_effects" (
    "effect_key" TEXT NOT NULL,
    "result" BYTEA,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_effects_pkey" PRIMARY KEY ("effect_key")
);

-- CreateTable
CREATE TABLE "payment_service"."outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "msg_id" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invoices_effect_key_key" ON "payment_service"."invoices"("effect_key");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_provider_provider_invoice_id_key" ON "payment_service"."invoices"("provider", "provider_invoice_id");

-- CreateIndex
CREATE INDEX "invoices_telegram_id_created_at_idx" ON "payment_service"."invoices"("telegram_id", "created_at");

-- CreateIndex
CREATE INDEX "invoices_status_expires_at_idx" ON "payment_service"."invoices"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_invoice_id_key" ON "payment_service"."subscriptions"("invoice_id");

-- CreateIndex
CREATE INDEX "subscriptions_telegram_id_kind_status_ends_at_idx" ON "payment_service"."subscriptions"("telegram_id", "kind", "status", "ends_at");

-- CreateIndex
CREATE INDEX "subscriptions_status_ends_at_idx" ON "payment_service"."subscriptions"("status", "ends_at");

-- CreateIndex
CREATE INDEX "processed_effects_processed_at_idx" ON "payment_service"."processed_effects"("processed_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "payment_service"."outbox_events"("published_at", "id");

-- The plans the main bot offers at launch (prices in kopecks).
INSERT INTO "payment_service"."plans" ("id", "kind", "period_days", "price_minor", "currency", "title") VALUES
    ('bots-30d', 'bots', 30, 29900, 'RUB', 'More bots, 30 days'),
    ('stories-30d', 'stories', 30, 19900, 'RUB', 'Stories, 30 days'),
    ('posting-30d', 'posting', 30, 24900, 'RUB', 'Channel posting, 30 days');
