-- CreateTable
CREATE TABLE "admin_panel"."stats_samples" (
    "slot" BIGINT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "total_users" BIGINT,
    "active_last_24h" BIGINT,
    "active_last_7d" BIGINT,
    "total_bots" BIGINT,
    "blocked_bots" BIGINT,
    "active_subscriptions" BIGINT,
    "revenue" JSONB,

    CONSTRAINT "stats_samples_pkey" PRIMARY KEY ("slot")
);

-- CreateIndex
CREATE INDEX "stats_samples_taken_at_idx" ON "admin_panel"."stats_samples"("taken_at");
