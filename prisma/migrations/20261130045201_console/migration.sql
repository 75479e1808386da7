-- AlterEnum
ALTER TYPE "ConversationStatus" ADD VALUE 'snoozed';

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "preferences" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "AgentSession" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'bearer';

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "lastAgentMessageAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastCustomerMessageAt" TIMESTAMPTZ(3),
ADD COLUMN     "resolvedAt" TIMESTAMPTZ(3),
ADD COLUMN     "snoozedUntil" TIMESTAMPTZ(3),
ADD COLUMN     "waitingSince" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "AgentInvite" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" "AgentRole" NOT NULL DEFAULT 'agent',
    "tokenHash" TEXT NOT NULL,
    "invitedById" UUID,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "acceptedAt" TIMESTAMPTZ(3),
    "acceptedAgentId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentInvite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationNote" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "agentId" UUID,
    "clientNoteId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "afterSeq" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationNote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CannedReply" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "shortcut" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CannedReply_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AgentInvite_tokenHash_key" ON "AgentInvite"("tokenHash");

-- CreateIndex
CREATE INDEX "AgentInvite_workspaceId_createdAt_idx" ON "AgentInvite"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "ConversationNote_conversationId_afterSeq_idx" ON "ConversationNote"("conversationId", "afterSeq");

-- CreateIndex
CREATE UNIQUE INDEX "ConversationNote_conversationId_clientNoteId_key" ON "ConversationNote"("conversationId", "clientNoteId");

-- CreateIndex
CREATE UNIQUE INDEX "CannedReply_workspaceId_shortcut_key" ON "CannedReply"("workspaceId", "shortcut");

-- CreateIndex
CREATE INDEX "Contact_workspaceId_createdAt_idx" ON "Contact"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Conversation_workspaceId_status_mode_waitingSince_idx" ON "Conversation"("workspaceId", "status", "mode", "waitingSince");

-- CreateIndex
CREATE INDEX "Conversation_workspaceId_assigneeId_status_waitingSince_idx" ON "Conversation"("workspaceId", "assigneeId", "status", "waitingSince");

-- CreateIndex
CREATE INDEX "Conversation_workspaceId_status_resolvedAt_idx" ON "Conversation"("workspaceId", "status", "resolvedAt");

-- CreateIndex
CREATE INDEX "Conversation_status_snoozedUntil_idx" ON "Conversation"("status", "snoozedUntil");

-- CreateIndex
CREATE INDEX "Payment_workspaceId_txHash_idx" ON "Payment"("workspaceId", "txHash");

-- AddForeignKey
ALTER TABLE "AgentInvite" ADD CONSTRAINT "AgentInvite_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentInvite" ADD CONSTRAINT "AgentInvite_invitedById_fkey" FOREIGN KEY ("invitedById") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationNote" ADD CONSTRAINT "ConversationNote_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationNote" ADD CONSTRAINT "ConversationNote_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CannedReply" ADD CONSTRAINT "CannedReply_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CannedReply" ADD CONSTRAINT "CannedReply_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written (Prisma cannot express expression indexes; keep these when a later `db:new` proposes to drop them).
-- Console search: PostgreSQL full-text search on message text ('simple': no language stemming, the workspace
-- writes in several languages; the same configuration must be used by the query to use the index).
CREATE INDEX "Message_text_fts_idx" ON "Message" USING GIN (to_tsvector('simple', "text"));
-- Console search by transaction-hash prefix: lower("txHash") LIKE 'abc%' is an index range scan.
CREATE INDEX "Payment_workspaceId_txHash_prefix_idx" ON "Payment" ("workspaceId", lower("txHash") text_pattern_ops);

-- Backfills (hand-written). ("snoozed" is not used here: a new enum value cannot be used in its own transaction.)
UPDATE "Conversation" c SET
  "lastCustomerMessageAt" = (SELECT max(m."createdAt") FROM "Message" m WHERE m."conversationId" = c."id" AND m."senderType" = 'contact'),
  "lastAgentMessageAt" = (SELECT max(m."createdAt") FROM "Message" m WHERE m."conversationId" = c."id" AND m."senderType" = 'agent'),
  "resolvedAt" = CASE WHEN c."status" = 'resolved' THEN c."updatedAt" ELSE NULL END;
-- Waiting since the first customer message after the last answer (an agent's, or the assistant's in assistant mode).
UPDATE "Conversation" c SET "waitingSince" = (
  SELECT min(m."createdAt") FROM "Message" m
   WHERE m."conversationId" = c."id" AND m."senderType" = 'contact'
     AND m."seq" > COALESCE((SELECT max(a."seq") FROM "Message" a
                              WHERE a."conversationId" = c."id"
                                AND (a."senderType" = 'agent' OR (c."mode" = 'ai' AND a."senderType" = 'assistant'))), 0))
 WHERE c."status" <> 'resolved';
-- Handed off to a person and not answered since: waiting since the handoff at the latest.
UPDATE "Conversation" SET "waitingSince" = LEAST(COALESCE("waitingSince", "handoffAt"), "handoffAt")
 WHERE "status" <> 'resolved' AND "mode" = 'human' AND "handoffAt" IS NOT NULL
   AND "handoffReason" IN ('customer-asked', 'offer-accepted')
   AND ("lastAgentMessageAt" IS NULL OR "lastAgentMessageAt" < "handoffAt");
