// Payment events from the merchant's backend: idempotent on the event id, forward-only status, gap-free
// receipt numbers (one receipt per outcome, paid or failed), notifications written in the same transaction,
// then toasts and chat cards.
import { createHash, randomUUID } from 'node:crypto';
import {
  statusOfEvent,
  type ListPaymentsResponse,
  type PaymentDto,
  type PaymentEventDto,
  type PaymentEventInput,
  type PaymentEventResponse,
  type PaymentEventType,
  type PaymentStatus,
} from '../../../protocol/payments.ts';
import { Prisma, type Payment, type PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import type { Publisher } from '../publisher.ts';
import { rooms } from '../rooms.ts';
import { canonicalDecimal, decimalToString } from './decimal.ts';
import { contactNames, partyView, toPaymentDto, unnamedParties, type ContactNames, type ReceiptRow } from './dto.ts';
import type { LinkMaker, ReceiptLinks } from './receipt-links.ts';
import { cleanName, cleanText } from './text.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { SqlRunner } from '../../db/sql.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { GroupCommit } from '../group-commit.ts';
import { CONTACT_NAMES, INSERT_NEW_PAYMENTS, MARK_FANNED_OUT } from './statements.ts';

/** Where payment cards go: the ChatService, behind the one method payments need. */
export interface PaymentCards {
  postToCustomer(
    workspaceId: string,
    externalId: string,
    input: { clientMessageId: string; text: string; kind: 'payment'; payload: Record<string, unknown> },
  ): Promise<unknown>;
}

export interface PaymentServiceDeps {
  prisma: PrismaClient;
  publisher: Publisher;
  notifications: NotificationService;
  cards: PaymentCards;
  /** This server's public URL, for receipt links (a function: with PORT=0 it is known only after listen). */
  baseUrl: () => string;
  /** Each party's own receipt link, in their toast, notification and card. */
  links: ReceiptLinks;
  /** The hot path's own SQL (Database.sql). */
  sql: SqlRunner;
}

export interface IngestResult {
  status: number;
  /** The JSON text of a PaymentEventResponse; a redelivery gets these exact bytes. */
  body: string;
  replayed: boolean;
}

/** Prisma's interactive-transaction defaults (2 s wait, 5 s run) are too tight under a burst of events. */
const TX_OPTIONS = { maxWait: 15_000, timeout: 20_000 };
const FLUSH_DELAY_MS = 100;

type NormalizedEvent = Omit<PaymentEventInput, 'reference' | 'memo' | 'failure' | 'payerName' | 'payeeName'> & {
  reference: string;
  memo: string | null;
  failure: { code: string; message: string } | null;
  payerName: string | null;
  payeeName: string | null;
};
type StoredEvent = Prisma.PaymentEventGetPayload<object>;
interface Party {
  userId: string;
  view: PaymentEventDto;
}
type Applied = { kind: 'applied'; eventRowId: string; status: number; body: string; parties: Party[] };
/** An event that may create a payment, waiting for its batch (see createBatch). */
interface NewEvent {
  workspaceId: string;
  ev: NormalizedEvent;
  to: PaymentStatus;
  digest: string;
  links: LinkMaker | null;
}

export class PaymentService {
  /** Events whose cards are posted, marked in batches: one UPDATE per flush instead of one per event. */
  private fannedOut: string[] = [];
  private flushing: Promise<void> | null = null;
  /** New payments arriving together are written by one statement (one commit per batch). */
  private readonly creator: GroupCommit<NewEvent, Applied | null>;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.creator = new GroupCommit<NewEvent, Applied | null>({
      write: (batch) => this.createBatch(batch),
      // One row per payment and per event id in a statement: a second delivery waits and then sees the first.
      keys: (n) => [`r\n${n.workspaceId}\n${n.ev.reference}`, `e\n${n.workspaceId}\n${n.ev.id}`],
    });
  }

  /** Writes the pending fan-out marks (the app calls it on close). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.fannedOut.length) return;
    const ids = this.fannedOut;
    this.fannedOut = [];
    this.flushing = this.deps.sql
      .query(MARK_FANNED_OUT, [ids])
      .then(() => undefined)
      // Unmarked events only cost a redelivery a second, idempotent, pass over the cards.
      .catch(() => undefined)
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  private get prisma() {
    return this.deps.prisma;
  }

  async ingest(workspaceId: string, input: PaymentEventInput): Promise<IngestResult> {
    const event = normalize(input);
    const digest = digestOf(event);
    // Loaded before any transaction (cached): with one embedded connection, a query beside one would wait for it.
    const links = await this.deps.links.makerFor(workspaceId);
    let result = await this.createNew(workspaceId, event, digest, links).catch((err: unknown) => {
      if (isUniqueViolation(err)) return null;
      throw err;
    });
    // Not a new payment (or a redelivery): the general path decides under the payment's row lock.
    for (let attempt = 0; !result; attempt++) {
      try {
        const outcome = await this.prisma.$transaction((tx) => this.apply(tx, workspaceId, event, digest, links), TX_OPTIONS);
        if (!('kind' in outcome)) return this.replay(outcome, digest);
        result = outcome;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Lost a race: to a concurrent delivery of this event (answer as a replay), or to another event
        // creating the same payment (run again: the payment now exists and its row lock orders us).
        const winner = await this.findEvent(workspaceId, event.id);
        if (winner) return this.replay(winner, digest);
        if (attempt >= 2) throw err;
      }
    }
    // Toasts first (the latency that matters), then the cards, then mark the job done.
    for (const party of result.parties) {
      this.deps.publisher.publish([rooms.customer(workspaceId, party.userId)], 'payment-event', party.view);
    }
    if (result.parties.length) await this.postCards(workspaceId, result.eventRowId, result.parties);
    return { status: result.status, body: result.body, replayed: false };
  }

  /** Agents' list, newest first, with exact per-token totals over the whole filter. */
  async listForWorkspace(
    workspaceId: string,
    q: { userId?: string; status?: PaymentStatus; token?: string; cursor?: string; limit?: number },
  ): Promise<ListPaymentsResponse> {
    const limit = q.limit ?? 25;
    const where: Prisma.PaymentWhereInput = {
      workspaceId,
      ...(q.userId && { OR: [{ payerId: q.userId }, { payeeId: q.userId }] }),
      ...(q.status && { status: q.status }),
      ...(q.token && { token: q.token }),
    };
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const [rows, groups] = await Promise.all([
      this.prisma.payment.findMany({
        where: after
          ? { AND: [where, { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] }
          : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        include: { receipt: { select: { id: true, number: true } } },
      }),
      this.prisma.payment.groupBy({
        by: ['token', 'status'],
        where,
        _count: { _all: true },
        _sum: { amount: true },
        orderBy: [{ token: 'asc' }, { status: 'asc' }],
      }),
    ]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const base = this.deps.baseUrl();
    const names = await contactNames(this.prisma, workspaceId, unnamedParties(page));
    return {
      payments: page.map((p) => toPaymentDto(p, p.receipt, base, names)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      totals: groups.map((g) => ({
        token: g.token,
        status: g.status as PaymentStatus,
        count: g._count._all,
        amount: g._sum.amount ? decimalToString(g._sum.amount) : '0',
      })),
    };
  }

  /**
   * The common case: an event that creates a payment. Payment, receipt (numbered from the counter),
   * notifications and the event record are written together or not at all, by one statement shared with the
   * other new payments of its batch. Returns null, having written nothing, when the reference already exists
   * (a later event, or a redelivery).
   */
  private createNew(workspaceId: string, ev: NormalizedEvent, digest: string, links: LinkMaker | null): Promise<Applied | null> {
    const to = statusOfEvent(ev.type);
    if (to === 'refunded') return Promise.resolve(null); // the general path explains why it is refused
    return this.creator.write({ workspaceId, ev, to, digest, links });
  }

  /** One statement for a batch of new payments (see INSERT_NEW_PAYMENTS); one result per event, in order. */
  private async createBatch(batch: NewEvent[]): Promise<(Applied | null)[]> {
    const now = new Date();
    const base = this.deps.baseUrl();
    const names = await this.partyNames(batch);
    const notes = { ord: [] as number[], id: [] as string[], userId: [] as string[], data: [] as string[] };
    const built = batch.map(({ workspaceId, ev, to, digest, links }, ord) => {
      const receiptId = hasReceipt(to) ? randomUUID() : null;
      const row: Payment = { id: randomUUID(), ...paymentColumns(workspaceId, ev, to), createdAt: now, updatedAt: now };
      // The receipt number comes from the counter inside the statement: the JSON carries a placeholder.
      const dto = toPaymentDto(row, receiptId ? { id: receiptId, number: NUMBER_PLACEHOLDER } : null, base, names.get(workspaceId));
      const parties = to === 'pending' ? [] : partiesOf(dto, links);
      for (const p of parties) {
        notes.ord.push(ord);
        notes.id.push(p.view.notificationId);
        notes.userId.push(p.userId);
        notes.data.push(JSON.stringify(p.view));
      }
      const response: PaymentEventResponse = { eventId: ev.id, applied: true, reason: null, payment: dto };
      return { workspaceId, ev, digest, row, receiptId, parties, eventRowId: randomUUID(), body: JSON.stringify(response) };
    });
    const col = <T>(f: (b: (typeof built)[number], i: number) => T) => built.map(f);
    const rows = await this.deps.sql.query<{ ord: number; number: number | null }>(INSERT_NEW_PAYMENTS, [
      col((_, i) => i),
      col((b) => b.row.id),
      col((b) => b.workspaceId),
      col((b) => b.row.reference),
      col((b) => b.row.status),
      // Money as its decimal text, never a float.
      col((b) => b.ev.amount),
      col((b) => b.row.token),
      col((b) => b.row.payerId),
      col((b) => b.row.payeeId),
      col((b) => b.row.payerName),
      col((b) => b.row.payeeName),
      col((b) => b.row.txHash),
      col((b) => b.row.memo),
      col((b) => b.row.failureCode),
      col((b) => b.row.failureMessage),
      col((b) => b.row.occurredAt.toISOString()),
      col((b) => b.row.succeededAt?.toISOString() ?? null),
      col((b) => b.row.failedAt?.toISOString() ?? null),
      col((b) => b.receiptId),
      col((b) => b.eventRowId),
      col((b) => b.ev.id),
      col((b) => b.ev.type),
      col((b) => b.digest),
      col((b) => b.body),
      // Nobody to tell (a pending payment): nothing to fan out.
      col((b) => b.parties.length === 0),
      now.toISOString(),
      notes.ord,
      notes.id,
      notes.userId,
      notes.data,
    ]);
    const stored = new Map(rows.map((r) => [Number(r.ord), r.number === null ? null : Number(r.number)]));
    return built.map((b, ord): Applied | null => {
      if (!stored.has(ord)) return null;
      const number = stored.get(ord)!;
      for (const p of b.parties) p.view.receiptNumber = number;
      return {
        kind: 'applied',
        eventRowId: b.eventRowId,
        status: 201,
        body: b.body.replace(`"number":${NUMBER_PLACEHOLDER}`, `"number":${number ?? 'null'}`),
        parties: b.parties,
      };
    });
  }

  /** Contact names for the batch's parties whose events named no one, by workspace; one statement. */
  private async partyNames(batch: NewEvent[]): Promise<Map<string, ContactNames>> {
    const byWorkspace = new Map<string, Map<string, string>>();
    const wanted = new Set<string>();
    const ws: string[] = [];
    const ids: string[] = [];
    for (const { workspaceId, ev } of batch) {
      for (const id of [...(ev.payerName ? [] : [ev.payer]), ...(ev.payeeName ? [] : [ev.payee])]) {
        const key = `${workspaceId}\n${id}`;
        if (wanted.has(key)) continue;
        wanted.add(key);
        ws.push(workspaceId);
        ids.push(id);
      }
    }
    if (!ids.length) return byWorkspace;
    const rows = await this.deps.sql.query<{ workspaceId: string; externalId: string; name: string }>(CONTACT_NAMES, [ws, ids]);
    for (const r of rows) {
      const name = cleanName(r.name);
      if (!name) continue;
      let names = byWorkspace.get(r.workspaceId);
      if (!names) byWorkspace.set(r.workspaceId, (names = new Map()));
      names.set(r.externalId, name);
    }
    return byWorkspace;
  }

  /** One transaction; the payment row lock orders concurrent events of one payment, in any process. */
  private async apply(
    tx: Prisma.TransactionClient,
    workspaceId: string,
    ev: NormalizedEvent,
    digest: string,
    links: LinkMaker | null,
  ): Promise<Applied | StoredEvent> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Payment" WHERE "workspaceId" = ${workspaceId}::uuid AND "reference" = ${ev.reference} FOR UPDATE`;
    // Checked under the lock: a concurrent duplicate waited for it and now sees the first delivery.
    const known = await tx.paymentEvent.findUnique({ where: { workspaceId_eventId: { workspaceId, eventId: ev.id } } });
    if (known) return known;

    const to = statusOfEvent(ev.type);
    const occurredAt = new Date(ev.occurredAt);
    let payment: Payment & { receipt: ReceiptRow | null };
    let created = false;
    let applied = true;
    let reason: string | null = null;
    const lockedId = locked[0]?.id;
    if (!lockedId) {
      if (to === 'refunded') {
        throw new AppError('CONFLICT', `No succeeded payment "${ev.reference}" to refund yet: deliver its payment.succeeded first, then retry.`);
      }
      payment = await tx.payment.create({
        data: paymentColumns(workspaceId, ev, to),
        include: { receipt: { select: { id: true, number: true } } },
      });
      created = true;
    } else {
      const current = await tx.payment.findUniqueOrThrow({
        where: { id: lockedId },
        include: { receipt: { select: { id: true, number: true } } },
      });
      assertSamePayment(current, ev);
      const verdict = transition(current.status as PaymentStatus, to);
      if (verdict === 'early') {
        throw new AppError('CONFLICT', `Payment "${ev.reference}" has not succeeded yet, so it cannot be refunded; retry after its payment.succeeded.`);
      }
      if (verdict === 'apply') {
        payment = await tx.payment.update({
          where: { id: current.id },
          data: {
            status: to,
            occurredAt,
            ...outcomeTime(to, occurredAt),
            txHash: ev.txHash ?? current.txHash,
            memo: ev.memo ?? current.memo,
            // A later event may name a party the first one did not (or spell the name anew).
            payerName: ev.payerName ?? current.payerName,
            payeeName: ev.payeeName ?? current.payeeName,
            ...(ev.failure && { failureCode: ev.failure.code, failureMessage: ev.failure.message }),
          },
          include: { receipt: { select: { id: true, number: true } } },
        });
      } else {
        applied = false;
        reason = `Payment "${ev.reference}" is already ${current.status}; ${ev.type} does not change it.`;
        payment = current;
      }
    }

    if (applied && hasReceipt(to) && !payment.receipt) payment.receipt = await issueReceipt(tx, workspaceId, payment.id);
    const names = await contactNames(tx, workspaceId, unnamedParties([payment]));
    const dto = toPaymentDto(payment, payment.receipt, this.deps.baseUrl(), names);
    // Customers hear about outcomes; a pending payment is stored silently.
    const parties = applied && to !== 'pending' ? partiesOf(dto, links) : [];
    await this.deps.notifications.createWithin(
      tx,
      parties.map((p) => ({
        id: p.view.notificationId,
        workspaceId,
        userId: p.userId,
        key: notificationKey(payment.id, to),
        paymentId: payment.id,
        data: p.view,
      })),
    );
    const response: PaymentEventResponse = { eventId: ev.id, applied, reason, payment: dto };
    const body = JSON.stringify(response);
    const status = created ? 201 : 200;
    const stored = await tx.paymentEvent.create({
      data: {
        workspaceId,
        eventId: ev.id,
        paymentId: payment.id,
        type: ev.type,
        digest,
        applied,
        responseStatus: status,
        response: body,
        fannedOutAt: parties.length ? null : new Date(),
      },
      select: { id: true },
    });
    return { kind: 'applied', eventRowId: stored.id, status, body, parties };
  }

  /** A redelivery: same answer as the first time; finishes the chat cards if the first delivery was cut short. */
  private async replay(known: StoredEvent, digest: string): Promise<IngestResult> {
    if (known.digest !== digest) {
      throw new AppError('CONFLICT', `Event id "${known.eventId}" was already used for a different event; event ids must be unique.`);
    }
    if (!known.fannedOutAt) {
      const status = statusOfEvent(known.type as PaymentEventType);
      const stored = await this.deps.notifications.forPayment(known.workspaceId, known.paymentId, notificationKey(known.paymentId, status));
      // The links stored with them may have expired by now.
      const parties = await Promise.all(
        stored.map(async (p) => ({ userId: p.userId, view: (await this.deps.links.refresh(known.workspaceId, p.userId, [p.view]))[0]! })),
      );
      await this.postCards(known.workspaceId, known.id, parties);
    }
    return { status: known.responseStatus, body: known.response, replayed: true };
  }

  /** Idempotent (one clientMessageId per payment outcome), so finishing twice posts nothing twice. */
  private async postCards(workspaceId: string, eventRowId: string, parties: Party[]): Promise<void> {
    await Promise.all(
      parties.map((p) =>
        this.deps.cards.postToCustomer(workspaceId, p.userId, {
          clientMessageId: `pay_${p.view.paymentId}_${p.view.status}`,
          text: p.view.message,
          kind: 'payment',
          payload: p.view as unknown as Record<string, unknown>,
        }),
      ),
    );
    this.fannedOut.push(eventRowId);
    if (this.fannedOut.length === 1) setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  private findEvent(workspaceId: string, eventId: string) {
    return this.prisma.paymentEvent.findUnique({ where: { workspaceId_eventId: { workspaceId, eventId } } });
  }
}

/**
 * Forward only: pending → succeeded | failed, succeeded → refunded. A refund that overtakes its payment's
 * success is refused (not stored) so the sender's retry lands after it; anything else stale is ignored.
 */
function transition(from: PaymentStatus, to: PaymentStatus): 'apply' | 'ignore' | 'early' {
  if (from === 'pending' && (to === 'succeeded' || to === 'failed')) return 'apply';
  if (from === 'succeeded' && to === 'refunded') return 'apply';
  if (from === 'pending' && to === 'refunded') return 'early';
  return 'ignore';
}

/** Events of one payment must describe the same money between the same people. */
function assertSamePayment(current: Payment, ev: NormalizedEvent): void {
  const checks: [string, string, string][] = [
    ['amount', decimalToString(current.amount), canonicalDecimal(ev.amount)],
    ['token', current.token, ev.token],
    ['payer', current.payerId, ev.payer],
    ['payee', current.payeeId, ev.payee],
  ];
  for (const [field, stored, given] of checks) {
    if (stored !== given) {
      throw new AppError('CONFLICT', `Event "${ev.id}" does not match payment "${ev.reference}": ${field} is ${stored}, the event says ${given}.`);
    }
  }
}

/**
 * A receipt records an outcome, money that moved or not: a payment gets one when it succeeds or fails (the
 * same numbering either way), none while pending; a refund keeps the one its success was given.
 */
const hasReceipt = (status: PaymentStatus): boolean => status === 'succeeded' || status === 'failed';

/** The counter row is bumped in the statement that inserts the receipt: a rollback takes the number back. */
async function issueReceipt(tx: Prisma.TransactionClient, workspaceId: string, paymentId: string): Promise<ReceiptRow> {
  const rows = await tx.$queryRaw<ReceiptRow[]>`
    WITH n AS (
      INSERT INTO "ReceiptCounter" ("workspaceId", "last") VALUES (${workspaceId}::uuid, 1)
      ON CONFLICT ("workspaceId") DO UPDATE SET "last" = "ReceiptCounter"."last" + 1
      RETURNING "last"
    )
    INSERT INTO "Receipt" ("id", "workspaceId", "number", "paymentId", "issuedAt")
    SELECT ${randomUUID()}::uuid, ${workspaceId}::uuid, n."last", ${paymentId}::uuid, now() FROM n
    RETURNING "id", "number"`;
  return rows[0]!;
}

const notificationKey = (paymentId: string, status: PaymentStatus) => `payment:${paymentId}:${status}`;
/** Stands for the receipt number in JSON written before the number is known (see createNew). */
const NUMBER_PLACEHOLDER = -1;

/** Each party's view, with their own receipt link (none when the workspace's link key is gone). */
function partiesOf(dto: PaymentDto, links: LinkMaker | null): Party[] {
  return (['payer', 'payee'] as const).map((role) => {
    const userId = role === 'payer' ? dto.payer : dto.payee;
    const receiptUrl = dto.receipt && links ? links(dto.receipt.id, userId) : null;
    return { userId, view: partyView(dto, role, randomUUID(), receiptUrl) };
  });
}

function normalize(e: PaymentEventInput): NormalizedEvent {
  return {
    ...e,
    reference: e.reference ?? e.id,
    memo: cleanText(e.memo),
    failure: e.failure ? { code: e.failure.code, message: cleanText(e.failure.message) ?? e.failure.code } : null,
    payerName: cleanName(e.payerName),
    payeeName: cleanName(e.payeeName),
  };
}

/** Same meaning → same digest, however the sender formatted the JSON. */
function digestOf(e: NormalizedEvent): string {
  const canonical = [
    e.id,
    e.type,
    e.reference,
    canonicalDecimal(e.amount),
    e.token,
    e.payer,
    e.payee,
    e.txHash ?? null,
    e.memo,
    e.failure ? [e.failure.code, e.failure.message] : null,
    new Date(e.occurredAt).toISOString(),
    // Only when given, so events without names keep the digests stored before names existed.
    ...(e.payerName !== null || e.payeeName !== null ? [[e.payerName, e.payeeName]] : []),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** A new payment's columns from its first event (both creation paths write the same row). */
function paymentColumns(workspaceId: string, ev: NormalizedEvent, status: PaymentStatus) {
  return {
    workspaceId,
    reference: ev.reference,
    status,
    amount: new Prisma.Decimal(ev.amount),
    token: ev.token,
    payerId: ev.payer,
    payeeId: ev.payee,
    payerName: ev.payerName,
    payeeName: ev.payeeName,
    txHash: ev.txHash ?? null,
    memo: ev.memo,
    failureCode: ev.failure?.code ?? null,
    failureMessage: ev.failure?.message ?? null,
    occurredAt: new Date(ev.occurredAt),
    initiatedAt: new Date(ev.occurredAt),
    succeededAt: null,
    failedAt: null,
    refundedAt: null,
    ...outcomeTime(status, new Date(ev.occurredAt)),
  };
}

/** Each outcome keeps its own time, so the assistant can tell when a payment was made, paid, failed or refunded. */
function outcomeTime(status: PaymentStatus, at: Date): { succeededAt?: Date; failedAt?: Date; refundedAt?: Date } {
  if (status === 'succeeded') return { succeededAt: at };
  if (status === 'failed') return { failedAt: at };
  if (status === 'refunded') return { refundedAt: at };
  return {};
}
