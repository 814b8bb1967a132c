-- CreateTable
CREATE TABLE "admin_panel"."sign_in_link_uses" (
    "token_id" TEXT NOT NULL,
    "admin_id" BIGINT NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sign_in_link_uses_pkey" PRIMARY KEY ("token_id")
);

-- CreateIndex
CREATE INDEX "sign_in_link_uses_expires_at_idx" ON "admin_panel"."sign_in_link_uses"("expires_at");
