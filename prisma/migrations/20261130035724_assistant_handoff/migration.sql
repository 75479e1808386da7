-- AlterEnum
ALTER TYPE "MessageKind" ADD VALUE 'answer';

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "aiEpisodeStartedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "handoffAt" TIMESTAMPTZ(3),
ADD COLUMN     "handoffReason" TEXT;

-- Backfill (hand-written): an existing conversation's assistant episode began when the conversation did.
UPDATE "Conversation" SET "aiEpisodeStartedAt" = "createdAt";
