-- CreateIndex
-- Console search: the newest messages first (the recent window of search.service.ts), a bounded index range.
CREATE INDEX "Message_createdAt_idx" ON "Message"("createdAt");
