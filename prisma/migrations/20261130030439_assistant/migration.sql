-- CreateEnum
CREATE TYPE "FaqArticleStatus" AS ENUM ('published', 'archived');

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "failedAt" TIMESTAMPTZ(3),
ADD COLUMN     "initiatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "refundedAt" TIMESTAMPTZ(3),
ADD COLUMN     "succeededAt" TIMESTAMPTZ(3);

-- Backfill (hand-written): stored payments kept only the time of their current status (occurredAt). A pending
-- payment was made then; for the others the earlier of that time and when its first event reached us is the
-- best estimate of when it was made. A refunded payment's success time is unknown: it is taken as that estimate.
UPDATE "Payment" SET
  "initiatedAt" = CASE WHEN "status" = 'pending' THEN "occurredAt" ELSE LEAST("occurredAt", "createdAt") END,
  "succeededAt" = CASE "status" WHEN 'succeeded' THEN "occurredAt" WHEN 'refunded' THEN LEAST("occurredAt", "createdAt") END,
  "failedAt" = CASE WHEN "status" = 'failed' THEN "occurredAt" END,
  "refundedAt" = CASE WHEN "status" = 'refunded' THEN "occurredAt" END;
ALTER TABLE "Payment" ALTER COLUMN "initiatedAt" SET NOT NULL;

-- CreateTable
CREATE TABLE "FaqArticle" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "alternatives" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "answer" TEXT NOT NULL,
    "details" TEXT NOT NULL,
    "status" "FaqArticleStatus" NOT NULL DEFAULT 'published',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FaqArticle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AiInteraction" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "conversationId" UUID,
    "queryId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "articles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "paymentTools" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "paymentIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "confidence" DOUBLE PRECISION NOT NULL,
    "engine" TEXT NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "fallbackReason" TEXT,
    "feedback" TEXT,
    "feedbackReason" TEXT,
    "feedbackAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AiInteraction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FaqArticle_workspaceId_slug_language_key" ON "FaqArticle"("workspaceId", "slug", "language");

-- CreateIndex
CREATE INDEX "AiInteraction_workspaceId_createdAt_idx" ON "AiInteraction"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "AiInteraction_conversationId_createdAt_idx" ON "AiInteraction"("conversationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AiInteraction_workspaceId_queryId_key" ON "AiInteraction"("workspaceId", "queryId");

-- CreateIndex
CREATE INDEX "Payment_workspaceId_payerId_initiatedAt_idx" ON "Payment"("workspaceId", "payerId", "initiatedAt");

-- CreateIndex
CREATE INDEX "Payment_workspaceId_payeeId_initiatedAt_idx" ON "Payment"("workspaceId", "payeeId", "initiatedAt");

-- AddForeignKey
ALTER TABLE "FaqArticle" ADD CONSTRAINT "FaqArticle_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AiInteraction" ADD CONSTRAINT "AiInteraction_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AiInteraction" ADD CONSTRAINT "AiInteraction_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
