-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "payeeName" TEXT,
ADD COLUMN     "payerName" TEXT;
