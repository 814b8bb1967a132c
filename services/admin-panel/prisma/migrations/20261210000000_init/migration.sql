-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "admin_panel";

-- CreateTable
CREATE TABLE "admin_panel"."audit_log" (
    "id" BIGSERIAL NOT NULL,
    "admin_id" BIGINT NOT NULL,
    "action" TEXT NOT NULL,
    "target_kind" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "subject_user" BIGINT,
    "reason" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_log_outcome_check" CHECK ("outcome" IN ('pending', 'done', 'failed'))
);

-- CreateIndex
CREATE INDEX "audit_log_subject_user_started_at_idx" ON "admin_panel"."audit_log"("subject_user", "started_at");

-- CreateIndex
CREATE INDEX "audit_log_started_at_idx" ON "admin_panel"."audit_log"("started_at");
