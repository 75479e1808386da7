// Rows → wire shapes for payments: the merchant's view (PaymentDto) and each party's (PaymentEventDto).
import type { PaymentDto, PaymentEventDto, PaymentStatus, ReceiptRef } from '../../../protocol/payments.ts';
import type { Payment, Receipt } from '../../db/generated/client.ts';
import { decimalToString } from './decimal.ts';

export type ReceiptRow = Pick<Receipt, 'id' | 'number'>;

export function receiptRef(receipt: ReceiptRow | null, baseUrl: string): ReceiptRef | null {
  return receipt ? { id: receipt.id, number: receipt.number, url: `${baseUrl}/receipts/${receipt.id}` } : null;
}

export function toPaymentDto(p: Payment, receipt: ReceiptRow | null, baseUrl: string): PaymentDto {
  return {
    id: p.id,
    reference: p.reference,
    status: p.status as PaymentStatus,
    amount: decimalToString(p.amount),
    token: p.token,
    payer: p.payerId,
    payee: p.payeeId,
    txHash: p.txHash,
    memo: p.memo,
    failure: p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null,
    occurredAt: p.occurredAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    receipt: receiptRef(receipt, baseUrl),
  };
}

/**
 * What one party is told about a payment outcome: toast, bell item and chat card all use this object.
 * Money moves payer → payee, and back on a refund.
 */
export function partyView(payment: PaymentDto, party: 'payer' | 'payee', notificationId: string): PaymentEventDto {
  const isPayer = party === 'payer';
  const counterparty = isPayer ? payment.payee : payment.payer;
  const money = `${payment.amount} ${payment.token}`;
  let direction: 'in' | 'out';
  let message: string;
  switch (payment.status) {
    case 'refunded':
      direction = isPayer ? 'in' : 'out';
      message = isPayer ? `Refund received: ${money} from ${counterparty}` : `Refund sent: ${money} to ${counterparty}`;
      break;
    case 'failed':
      direction = isPayer ? 'out' : 'in';
      message = `Payment failed: ${money} ${isPayer ? 'to' : 'from'} ${counterparty}${payment.failure ? ` — ${payment.failure.message}` : ''}`;
      break;
    default:
      direction = isPayer ? 'out' : 'in';
      message = isPayer ? `Payment sent: ${money} to ${counterparty}` : `Payment received: ${money} from ${counterparty}`;
      if (payment.status === 'pending') message = `Payment pending: ${money} ${isPayer ? 'to' : 'from'} ${counterparty}`;
  }
  return {
    type: payment.status === 'failed' ? 'failure' : 'success',
    message,
    amount: payment.amount,
    timestamp: payment.occurredAt,
    notificationId,
    paymentId: payment.id,
    reference: payment.reference,
    status: payment.status,
    direction,
    token: payment.token,
    counterparty,
    payer: payment.payer,
    payee: payment.payee,
    txHash: payment.txHash,
    memo: payment.memo,
    failure: payment.failure,
    receiptId: payment.receipt?.id ?? null,
    receiptNumber: payment.receipt?.number ?? null,
    receiptUrl: payment.receipt?.url ?? null,
  };
}
