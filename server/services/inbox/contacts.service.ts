// The console's customer sidebar (issue 10 point 5): who the customer is, their previous conversations, and
// their payments — scoped in SQL by the agent's workspace and the contact's external id (as payer or payee),
// failed and pending pinned on top, exact decimal strings, the failure reason in plain words (the assistant's
// mapping of failure codes), and receipt links for the agent and for the customer.
import {
  MAX_SIDEBAR_CONVERSATIONS,
  MAX_SIDEBAR_PAYMENTS,
  PREVIEW_CHARS,
  type ContactSidebarResponse,
  type InboxStatus,
  type SidebarConversationDto,
  type SidebarPaymentDto,
} from '../../../protocol/console.ts';
import type { SenderType } from '../../../protocol/chat.ts';
import type { Payment, PrismaClient, Receipt } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { failureReason } from '../assistant/payments-tools.ts';
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';
import { decimalToString } from '../payments/decimal.ts';
import { receiptPageUrl } from '../payments/dto.ts';
import type { LinkMaker, ReceiptLinks } from '../payments/receipt-links.ts';
import type { Principal } from '../principal.ts';

type AgentPrincipal = Principal & { kind: 'agent' };
const PINNED = ['failed', 'pending'] as const;
const REST = ['succeeded', 'refunded'] as const;

export class ContactService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { links: ReceiptLinks; baseUrl: () => string },
  ) {}

  async sidebar(agent: AgentPrincipal, contactId: string, lang: AssistantLanguage = 'en'): Promise<ContactSidebarResponse> {
    const contact = await this.prisma.contact.findFirst({ where: { id: contactId, workspaceId: agent.workspaceId } });
    if (!contact) throw new AppError('NOT_FOUND', 'No such customer in this workspace.');
    const [conversations, payments] = await Promise.all([
      this.conversations(agent.workspaceId, contact.id),
      contact.externalId ? this.payments(agent.workspaceId, contact.externalId, lang) : Promise.resolve({ list: [], more: false }),
    ]);
    return {
      contact: {
        id: contact.id,
        name: contact.name,
        email: contact.email,
        externalId: contact.externalId,
        identified: contact.externalId !== null,
        firstSeenAt: contact.createdAt.toISOString(),
        lastSeenAt: contact.lastSeenAt?.toISOString() ?? null,
      },
      conversations,
      payments: payments.list,
      morePayments: payments.more,
    };
  }

  private async conversations(workspaceId: string, contactId: string): Promise<SidebarConversationDto[]> {
    const rows = await this.prisma.$queryRaw<
      { id: string; status: string; mode: string; lastMessageAt: Date | null; createdAt: Date; sender: string | null; text: string | null }[]
    >`
      SELECT c."id", c."status"::text AS "status", c."mode"::text AS "mode", c."lastMessageAt", c."createdAt",
             m."senderType"::text AS "sender", left(m."text", ${PREVIEW_CHARS}) AS "text"
        FROM "Conversation" c
        LEFT JOIN "Message" m ON m."conversationId" = c."id" AND m."seq" = c."lastSeq"
       WHERE c."workspaceId" = ${workspaceId}::uuid AND c."contactId" = ${contactId}::uuid
       ORDER BY COALESCE(c."lastMessageAt", c."createdAt") DESC, c."id" DESC
       LIMIT ${MAX_SIDEBAR_CONVERSATIONS}`;
    return rows.map((r) => ({
      id: r.id,
      status: r.status as InboxStatus,
      mode: r.mode as 'ai' | 'human',
      lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
      preview: r.sender !== null ? { sender: r.sender as SenderType, text: r.text ?? '' } : null,
    }));
  }

  /** Failed and pending first (newest first), then the rest newest first; at most MAX_SIDEBAR_PAYMENTS. */
  private async payments(workspaceId: string, externalId: string, lang: AssistantLanguage): Promise<{ list: SidebarPaymentDto[]; more: boolean }> {
    const party = { workspaceId, OR: [{ payerId: externalId }, { payeeId: externalId }] };
    const order = [{ initiatedAt: 'desc' as const }, { id: 'desc' as const }];
    const take = MAX_SIDEBAR_PAYMENTS + 1;
    const pinned = await this.prisma.payment.findMany({ where: { ...party, status: { in: [...PINNED] } }, orderBy: order, take, include: { receipt: true } });
    const rest =
      pinned.length < take
        ? await this.prisma.payment.findMany({ where: { ...party, status: { in: [...REST] } }, orderBy: order, take: take - pinned.length, include: { receipt: true } })
        : [];
    const all = [...pinned, ...rest];
    const withReceipt = all.some((p) => p.receipt);
    const make = withReceipt ? await this.deps.links.makerFor(workspaceId) : null;
    const base = this.deps.baseUrl();
    return { list: all.slice(0, MAX_SIDEBAR_PAYMENTS).map((p) => toSidebarPayment(p, externalId, base, make, lang)), more: all.length > MAX_SIDEBAR_PAYMENTS };
  }
}

function toSidebarPayment(p: Payment & { receipt: Receipt | null }, externalId: string, base: string, make: LinkMaker | null, lang: AssistantLanguage): SidebarPaymentDto {
  const failure = p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null;
  const reason = failure ? failureReason(failure) : null;
  return {
    id: p.id,
    reference: p.reference,
    status: p.status,
    amount: decimalToString(p.amount),
    token: p.token,
    direction: p.payerId === externalId ? 'out' : 'in',
    payer: p.payerId,
    payee: p.payeeId,
    payerName: p.payerName,
    payeeName: p.payeeName,
    txHash: p.txHash,
    memo: p.memo,
    failure: failure && reason ? { ...failure, reason: reason.label[lang], article: reason.article } : null,
    occurredAt: p.occurredAt.toISOString(),
    initiatedAt: p.initiatedAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
    receipt: p.receipt
      ? {
          id: p.receipt.id,
          number: p.receipt.number,
          url: receiptPageUrl(base, p.receipt.id),
          customerUrl: make ? make(p.receipt.id, externalId) : receiptPageUrl(base, p.receipt.id),
        }
      : null,
  };
}
