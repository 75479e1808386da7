-- Console search: a workspace's newest messages are an index range (before: every workspace's newest, so a
-- busy workspace pushed the others' messages out of the window and their searches down the slow path).
-- AlterTable: added, filled from each message's conversation, then required.
ALTER TABLE "Message" ADD COLUMN "workspaceId" UUID;
UPDATE "Message" m SET "workspaceId" = c."workspaceId" FROM "Conversation" c WHERE c."id" = m."conversationId";
ALTER TABLE "Message" ALTER COLUMN "workspaceId" SET NOT NULL;

-- DropIndex
DROP INDEX "Message_createdAt_idx";

-- CreateIndex
CREATE INDEX "Message_workspaceId_createdAt_idx" ON "Message"("workspaceId", "createdAt");
