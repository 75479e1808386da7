// Rows → wire shapes for payments: the merchant's view (PaymentDto) and each party's (PaymentEventDto).
import type { PaymentDto, PaymentEventDto, PaymentStatus, ReceiptRef } from '../../../protocol/payments.ts';
import type { Payment, Prisma, Receipt } from '../../db/generated/client.ts';
import { decimalToString } from './decimal.ts';
import { cleanName } from './text.ts';

export type ReceiptRow = Pick<Receipt, 'id' | 'number'>;
/** Contact names by user id (from identity tokens), for parties the events named no one for. */
export type ContactNames = ReadonlyMap<string, string>;

/** The receipt page, without a credential. */
export const receiptPageUrl = (baseUrl: string, receiptId: string): string => `${baseUrl}/receipts/${receiptId}`;

export function receiptRef(receipt: ReceiptRow | null, baseUrl: string): ReceiptRef | null {
  return receipt ? { id: receipt.id, number: receipt.number, url: receiptPageUrl(baseUrl, receipt.id) } : null;
}

/** `names`: the parties' contact names, used where the events gave none. */
export function toPaymentDto(p: Payment, receipt: ReceiptRow | null, baseUrl: string, names: ContactNames = NO_NAMES): PaymentDto {
  return {
    id: p.id,
    reference: p.reference,
    status: p.status as PaymentStatus,
    amount: decimalToString(p.amount),
    token: p.token,
    payer: p.payerId,
    payee: p.payeeId,
    payerName: p.payerName ?? names.get(p.payerId) ?? null,
    payeeName: p.payeeName ?? names.get(p.payeeId) ?? null,
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
 * Money moves payer → payee, and back on a refund. `receiptUrl`: the party's own receipt link, if any.
 */
export function partyView(payment: PaymentDto, party: 'payer' | 'payee', notificationId: string, receiptUrl: string | null): PaymentEventDto {
  const isPayer = party === 'payer';
  const counterparty = isPayer ? payment.payee : payment.payer;
  const counterpartyName = isPayer ? payment.payeeName : payment.payerName;
  // The server's English sentence (API consumers, the card's text); the widget writes its own from the fields.
  const who = counterpartyName ?? counterparty;
  const money = `${payment.amount} ${payment.token}`;
  let direction: 'in' | 'out';
  let message: string;
  switch (payment.status) {
    case 'refunded':
      direction = isPayer ? 'in' : 'out';
      message = isPayer ? `Refund received: ${money} from ${who}` : `Refund sent: ${money} to ${who}`;
      break;
    case 'failed':
      direction = isPayer ? 'out' : 'in';
      message = `Payment failed: ${money} ${isPayer ? 'to' : 'from'} ${who}${payment.failure ? ` — ${payment.failure.message}` : ''}`;
      break;
    default:
      direction = isPayer ? 'out' : 'in';
      message = isPayer ? `Payment sent: ${money} to ${who}` : `Payment received: ${money} from ${who}`;
      if (payment.status === 'pending') message = `Payment pending: ${money} ${isPayer ? 'to' : 'from'} ${who}`;
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
    counterpartyName,
    payer: payment.payer,
    payee: payment.payee,
    txHash: payment.txHash,
    memo: payment.memo,
    failure: payment.failure,
    receiptId: payment.receipt?.id ?? null,
    receiptNumber: payment.receipt?.number ?? null,
    receiptUrl: payment.receipt ? receiptUrl : null,
  };
}

const NO_NAMES: ContactNames = new Map();

/**
 * Names from the parties' identity tokens (Contact.name), for the ids in `ids`; one query. A party who never
 * connected, or whose token had no name, is not in the map.
 */
export async function contactNames(db: Pick<Prisma.TransactionClient, 'contact'>, workspaceId: string, ids: readonly string[]): Promise<ContactNames> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return NO_NAMES;
  const rows = await db.contact.findMany({
    where: { workspaceId, externalId: { in: wanted }, name: { not: null } },
    select: { externalId: true, name: true },
  });
  return new Map(
    rows.flatMap((r) => {
      const name = cleanName(r.name);
      return r.externalId && name ? [[r.externalId, name] as const] : [];
    }),
  );
}

/** The parties of these payments that need a contact name (their events gave none). */
export function unnamedParties(payments: readonly Pick<Payment, 'payerId' | 'payeeId' | 'payerName' | 'payeeName'>[]): string[] {
  return payments.flatMap((p) => [...(p.payerName ? [] : [p.payerId]), ...(p.payeeName ? [] : [p.payeeId])]);
}
