// Seeds the evaluation fixture through the real ingestion path (PaymentService.ingest, as a merchant's
// signed events would), so the event-time columns are the ones production writes.
import type { PrismaClient } from '../../server/db/generated/client.ts';
import type { Services } from '../../server/services/index.ts';
import { hashOf, PAYMENTS, type FixturePayment } from './fixture.ts';

export interface SeededFixture {
  workspaceId: string;
  otherWorkspaceId: string;
  /** Fixture reference → payment id. */
  ids: Map<string, string>;
  /** Fixture reference → receipt id (payments with a receipt: paid, refunded and failed ones). */
  receipts: Map<string, string>;
}

export async function seedFixture(services: Services, prisma: PrismaClient): Promise<SeededFixture> {
  const ws = await services.workspaces.create({ name: 'Eval Shop', allowedOrigins: ['https://eval.example'] });
  const other = await services.workspaces.create({ name: 'Other Shop', allowedOrigins: ['https://other.example'] });
  const ordered = PAYMENTS.map((p, i) => ({ p, order: p.order ?? i })).sort((a, b) => a.order - b.order);
  for (const { p } of ordered) {
    const workspaceId = p.decoy === 'other-workspace' ? other.id : ws.id;
    let n = 0;
    for (const e of p.events) {
      await services.payments.ingest(workspaceId, {
        id: `evt_${p.ref}_${n++}`,
        type: `payment.${e.type}`,
        reference: p.ref,
        amount: p.amount,
        token: p.token,
        payer: p.payer,
        payee: p.payee,
        ...(p.payerName && { payerName: p.payerName }),
        ...(p.payeeName && { payeeName: p.payeeName }),
        ...(p.hash && { txHash: hashOf(p.ref) }),
        ...(p.memo && { memo: p.memo }),
        ...(e.failure && { failure: e.failure }),
        occurredAt: e.at,
      });
    }
  }
  const rows = await prisma.payment.findMany({ select: { id: true, reference: true, receipt: { select: { id: true } } } });
  const ids = new Map<string, string>();
  const receipts = new Map<string, string>();
  for (const r of rows) {
    ids.set(r.reference, r.id);
    if (r.receipt) receipts.set(r.reference, r.receipt.id);
  }
  return { workspaceId: ws.id, otherWorkspaceId: other.id, ids, receipts };
}

export const isDecoy = (p: FixturePayment) => p.decoy !== undefined;
