// Conversations and messages: membership, the gap-free idempotent send pipeline, history, read state.
import { randomUUID } from 'node:crypto';
import type {
  ConversationDto,
  HistoryPage,
  MessageDto,
  MessageKind,
  MessageStatusEvent,
  SenderType,
} from '../../../protocol/chat.ts';
import type { Conversation, Contact, Message, PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { CustomerIdentity, VisitorIdentity } from '../auth/tokens.ts';
import type { Principal } from '../principal.ts';
import type { Publisher } from '../publisher.ts';
import { rooms } from '../rooms.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { normalizeText } from './text.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

const DEFAULT_PAGE = 30;
/** Advisory lock namespace for creating a customer's conversation (see postToCustomer). */
const CUSTOMER_LOCK = 72707372;
const MEMBER_CACHE_TTL_MS = 30_000;
type ConversationWithContact = Conversation & { contact: Contact };

export interface NewMessage {
  clientMessageId: string;
  text: string;
  kind?: MessageKind;
  payload?: Record<string, unknown> | null;
}

export class ChatService {
  private readonly agentNames = new Map<string, string>();
  /** Per-conversation send order on this server: persist-then-publish never interleaves. */
  private readonly sendQueue = new KeyedQueue();
  /** One find-or-create of a customer's conversation at a time (system posts for the same customer). */
  private readonly customerQueue = new KeyedQueue();
  /**
   * Customer → the conversation system posts go to, briefly: skips the contact and conversation look-ups on
   * the payments hot path. A post into one resolved meanwhile reopens it (the insert does), which is fine.
   */
  private readonly customerConversations = new Map<string, { conversation: ConversationWithContact; at: number }>();
  private readonly memberCache = new Map<string, { conversation: ConversationWithContact; at: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: Publisher,
  ) {}

  /** Find or create the contact behind a visitor or customer credential, and note that they are here. */
  async resolveContact(identity: VisitorIdentity | CustomerIdentity): Promise<Contact> {
    const now = new Date();
    if (identity.kind === 'visitor') {
      const where = { workspaceId_visitorId: { workspaceId: identity.workspaceId, visitorId: identity.visitorId } };
      return this.upsertContact(where, { workspaceId: identity.workspaceId, visitorId: identity.visitorId, lastSeenAt: now }, { lastSeenAt: now });
    }
    const profile = {
      ...(identity.name !== undefined && { name: identity.name }),
      ...(identity.email !== undefined && { email: identity.email }),
    };
    const where = { workspaceId_externalId: { workspaceId: identity.workspaceId, externalId: identity.externalId } };
    return this.upsertContact(
      where,
      { workspaceId: identity.workspaceId, externalId: identity.externalId, lastSeenAt: now, ...profile },
      { lastSeenAt: now, ...profile },
    );
  }

  /** Prisma's upsert is find-then-write here: two first connections at once can both try to create. */
  private async upsertContact(
    where: Parameters<PrismaClient['contact']['upsert']>[0]['where'],
    create: Parameters<PrismaClient['contact']['upsert']>[0]['create'],
    update: Parameters<PrismaClient['contact']['upsert']>[0]['update'],
  ): Promise<Contact> {
    try {
      return await this.prisma.contact.upsert({ where, create, update });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.prisma.contact.update({ where, data: update });
    }
  }

  /** A visitor who logs in keeps the conversations they started anonymously. */
  async mergeVisitorInto(workspaceId: string, visitorId: string, customerContactId: string): Promise<number> {
    const visitor = await this.prisma.contact.findUnique({
      where: { workspaceId_visitorId: { workspaceId, visitorId } },
    });
    if (!visitor || visitor.id === customerContactId) return 0;
    const moved = await this.prisma.conversation.updateMany({
      where: { contactId: visitor.id },
      data: { contactId: customerContactId },
    });
    this.memberCache.clear();
    return moved.count;
  }

  /** The customer's open conversation (any device), or a new one. Agents cannot start conversations here. */
  async startConversation(p: Principal, opts: { forceNew?: boolean; limit?: number } = {}) {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Agents reply to conversations; customers start them.');
    const { conversation, created } = opts.forceNew
      ? { conversation: await this.createConversation(this.prisma, p.workspaceId, p.contactId), created: true }
      : await this.openConversationFor(p.workspaceId, p.contactId);
    const page = await this.page(conversation.id, undefined, opts.limit ?? DEFAULT_PAGE);
    return { conversation: await this.toConversationDto(conversation), created, ...page };
  }

  /**
   * The contact's open (or pending) conversation, or a new one. Two tabs, devices or instances asking at
   * once would each create one; the advisory lock lets one create and the others find it.
   */
  private async openConversationFor(workspaceId: string, contactId: string) {
    const openOne = (db: Pick<PrismaClient, 'conversation'>) =>
      db.conversation.findFirst({
        where: { contactId, status: { in: ['open', 'pending'] } },
        orderBy: { lastMessageAt: 'desc' },
        include: { contact: true },
      });
    const found = await openOne(this.prisma);
    if (found) return { conversation: found, created: false };
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CUSTOMER_LOCK}, hashtext(${contactId}))`;
        const again = await openOne(tx);
        if (again) return { conversation: again, created: false };
        return { conversation: await this.createConversation(tx, workspaceId, contactId), created: true };
      },
      { maxWait: 15_000, timeout: 20_000 },
    );
  }

  private createConversation(db: Pick<PrismaClient, 'conversation'>, workspaceId: string, contactId: string) {
    return db.conversation.create({
      data: { workspaceId, contactId, lastMessageAt: new Date() },
      include: { contact: true },
    });
  }

  /** The conversation if `p` is a member of it: its customer, or an agent of its workspace. */
  async getForMember(p: Principal, conversationId: string): Promise<ConversationWithContact> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
      include: { contact: true },
    });
    const member =
      conversation &&
      conversation.workspaceId === p.workspaceId &&
      (p.kind === 'agent' || conversation.contactId === p.contactId);
    // Same answer for "missing" and "not yours": ids of other people's conversations reveal nothing.
    if (!member) throw new AppError('FORBIDDEN', 'You are not a member of this conversation.');
    return conversation;
  }

  /**
   * getForMember for the send hot path: membership (workspace, contact) of a conversation changes only
   * when a visitor's conversations move to the customer they log in as, which clears this cache.
   */
  private async getForMemberCached(p: Principal, conversationId: string): Promise<ConversationWithContact> {
    const hit = this.memberCache.get(conversationId);
    if (hit && Date.now() - hit.at < MEMBER_CACHE_TTL_MS) {
      const c = hit.conversation;
      if (c.workspaceId === p.workspaceId && (p.kind === 'agent' || c.contactId === p.contactId)) return c;
    }
    const conversation = await this.getForMember(p, conversationId);
    if (this.memberCache.size > 10_000) this.memberCache.clear();
    this.memberCache.set(conversationId, { conversation, at: Date.now() });
    return conversation;
  }

  async describe(p: Principal, conversationId: string): Promise<ConversationDto> {
    return this.toConversationDto(await this.getForMember(p, conversationId));
  }

  /**
   * Persist a message, then publish it. Idempotent on (conversation, clientMessageId): a retry gets the
   * original back with `duplicate: true`. The seq is taken from the conversation row in the same
   * statement as the insert, so concurrent senders queue on the row lock and a failed insert (a
   * duplicate) rolls the counter back: numbers stay ordered and gap-free.
   */
  async send(p: Principal, conversationId: string, input: NewMessage): Promise<{ message: MessageDto; duplicate: boolean }> {
    const conversation = await this.getForMemberCached(p, conversationId);
    const text = normalizeText(input.text);
    return this.sendQueue.run(conversationId, () => this.persistAndPublish(senderOf(p), conversation, text, input));
  }

  /**
   * A system message (e.g. a payment card) in a customer's support conversation: their open one, or a new
   * one; the customer need not have connected yet. Same pipeline as send(), so idempotent on clientMessageId.
   */
  async postToCustomer(workspaceId: string, externalId: string, input: NewMessage): Promise<{ message: MessageDto; duplicate: boolean }> {
    const text = normalizeText(input.text);
    const key = `${workspaceId}:${externalId}`;
    return this.customerQueue.run(key, async () => {
      const conversation = await this.customerConversation(key, workspaceId, externalId);
      return this.sendQueue.run(conversation.id, () =>
        this.persistAndPublish({ type: 'system', id: null }, conversation, text, input),
      );
    });
  }

  private async customerConversation(key: string, workspaceId: string, externalId: string): Promise<ConversationWithContact> {
    const hit = this.customerConversations.get(key);
    if (hit && Date.now() - hit.at < MEMBER_CACHE_TTL_MS) return hit.conversation;
    const where = { workspaceId_externalId: { workspaceId, externalId } };
    const contact: Contact =
      (await this.prisma.contact.findUnique({ where })) ??
      (await this.prisma.contact.create({ data: { workspaceId, externalId } }).catch((err: unknown) => {
        // Another instance created it first.
        if (isUniqueViolation(err)) return this.prisma.contact.findUniqueOrThrow({ where });
        throw err;
      }));
    const { conversation } = await this.openConversationFor(workspaceId, contact.id);
    if (this.customerConversations.size > 10_000) this.customerConversations.clear();
    this.customerConversations.set(key, { conversation, at: Date.now() });
    return conversation;
  }

  private async persistAndPublish(
    sender: { type: SenderType; id: string | null },
    conversation: ConversationWithContact,
    text: string,
    input: NewMessage,
  ): Promise<{ message: MessageDto; duplicate: boolean }> {
    const conversationId = conversation.id;
    // No look-up first: the insert itself fails on a duplicate client id (and then rolls its seq
    // bump back), which keeps the common path to one statement.
    let row: Message;
    try {
      const rows = await this.prisma.$queryRaw<Message[]>`
        WITH bumped AS (
          UPDATE "Conversation"
             SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = now(), "updatedAt" = now(),
                 "status" = CASE WHEN "status" = 'resolved' THEN 'open'::"ConversationStatus" ELSE "status" END
           WHERE "id" = ${conversationId}::uuid
       RETURNING "lastSeq"
        )
        INSERT INTO "Message" ("id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt")
        SELECT ${randomUUID()}::uuid, ${conversationId}::uuid, bumped."lastSeq", ${input.clientMessageId},
               ${sender.type}::"SenderType", ${sender.id}, ${input.kind ?? 'text'}::"MessageKind", ${text},
               ${input.payload ? JSON.stringify(input.payload) : null}::jsonb, now()
          FROM bumped
        RETURNING *`;
      row = rows[0]!;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A concurrent retry with the same client id won the race.
      const winner = await this.findByClientId(conversationId, input.clientMessageId);
      if (!winner) throw err;
      return { message: await this.toMessageDto(winner, conversation.contact), duplicate: true };
    }
    const message = await this.toMessageDto(row, conversation.contact);
    this.publisher.publish(
      [rooms.conversation(conversationId), rooms.agents(conversation.workspaceId)],
      'message-received',
      message,
    );
    return { message, duplicate: false };
  }

  /** Messages with seq < beforeSeq (newest page when omitted), oldest first. */
  async history(p: Principal, conversationId: string, opts: { beforeSeq?: number; limit?: number }): Promise<HistoryPage> {
    await this.getForMember(p, conversationId);
    return this.page(conversationId, opts.beforeSeq, opts.limit ?? DEFAULT_PAGE);
  }

  /** Move the reader's read (or delivered) cursor forward; never backward, never past the last message. */
  async markRead(p: Principal, conversationId: string, seq: number, status: 'read' | 'delivered' = 'read') {
    const conversation = await this.getForMember(p, conversationId);
    const reader: MessageStatusEvent['reader'] = p.kind === 'agent' ? 'agent' : 'contact';
    const participantId = p.kind === 'agent' ? p.agentId : p.contactId;
    const target = Math.min(seq, conversation.lastSeq);
    const key = { conversationId, participantType: reader, participantId };
    const rows = await this.prisma.$queryRaw<{ lastReadSeq: number; lastDeliveredSeq: number }[]>`
      INSERT INTO "ReadCursor" ("conversationId", "participantType", "participantId", "lastReadSeq", "lastDeliveredSeq", "updatedAt")
      VALUES (${key.conversationId}::uuid, ${reader}::"ParticipantType", ${participantId},
              ${status === 'read' ? target : 0}, ${target}, now())
      ON CONFLICT ("conversationId", "participantType", "participantId") DO UPDATE
         SET "lastReadSeq" = GREATEST("ReadCursor"."lastReadSeq", EXCLUDED."lastReadSeq"),
             "lastDeliveredSeq" = GREATEST("ReadCursor"."lastDeliveredSeq", EXCLUDED."lastDeliveredSeq"),
             "updatedAt" = now()
      RETURNING "lastReadSeq", "lastDeliveredSeq"`;
    const cursor = rows[0]!;
    const value = status === 'read' ? cursor.lastReadSeq : cursor.lastDeliveredSeq;
    this.publisher.publish([rooms.conversation(conversationId), rooms.agents(conversation.workspaceId)], 'message-status', {
      conversationId,
      reader,
      seq: value,
      status,
    });
    return { seq: value };
  }

  /** Conversations of a workspace, most recent activity first, with an opaque keyset cursor. */
  async listForWorkspace(workspaceId: string, opts: { status?: Conversation['status']; cursor?: string; limit?: number }) {
    const limit = opts.limit ?? 25;
    const after = opts.cursor ? decodeCursor(opts.cursor) : null;
    const rows = await this.prisma.conversation.findMany({
      where: {
        workspaceId,
        // A widget opens (or resumes) a conversation on connect; until someone writes, agents need not see it.
        lastSeq: { gt: 0 },
        ...(opts.status && { status: opts.status }),
        ...(after && {
          OR: [{ lastMessageAt: { lt: after.at } }, { lastMessageAt: after.at, id: { lt: after.id } }],
        }),
      },
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      include: { contact: true },
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      conversations: await Promise.all(page.map((c) => this.toConversationDto(c))),
      nextCursor: rows.length > limit && last?.lastMessageAt ? encodeCursor(last.lastMessageAt, last.id) : null,
    };
  }

  private findByClientId(conversationId: string, clientMessageId: string) {
    return this.prisma.message.findUnique({
      where: { conversationId_clientMessageId: { conversationId, clientMessageId } },
    });
  }

  private async page(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<HistoryPage> {
    const [rows, conversation] = await Promise.all([
      this.prisma.message.findMany({
        where: { conversationId, ...(beforeSeq !== undefined && { seq: { lt: beforeSeq } }) },
        orderBy: { seq: 'desc' },
        take: limit + 1,
      }),
      this.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { contact: true } }),
    ]);
    const hasMore = rows.length > limit;
    const chosen = rows.slice(0, limit).reverse();
    return { messages: await Promise.all(chosen.map((m) => this.toMessageDto(m, conversation.contact))), hasMore };
  }

  private async toConversationDto(c: ConversationWithContact): Promise<ConversationDto> {
    const cursors = await this.prisma.readCursor.findMany({ where: { conversationId: c.id } });
    const maxOf = (type: 'contact' | 'agent') =>
      Math.max(0, ...cursors.filter((r) => r.participantType === type).map((r) => r.lastReadSeq));
    return {
      id: c.id,
      status: c.status,
      mode: c.mode,
      contact: { id: c.contact.id, name: c.contact.name, email: c.contact.email, externalId: c.contact.externalId },
      assigneeId: c.assigneeId,
      lastSeq: c.lastSeq,
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      read: { contact: maxOf('contact'), agent: maxOf('agent') },
    };
  }

  private async toMessageDto(m: Message, contact: Contact): Promise<MessageDto> {
    let name: string | null = null;
    if (m.senderType === 'contact') name = contact.name;
    else if (m.senderType === 'agent' && m.senderId) name = await this.agentName(m.senderId);
    else if (m.senderType === 'assistant') name = 'Assistant';
    return {
      id: m.id,
      conversationId: m.conversationId,
      seq: m.seq,
      clientMessageId: m.clientMessageId,
      sender: { type: m.senderType as SenderType, id: m.senderId, name },
      kind: m.kind as MessageKind,
      text: m.text,
      payload: (m.payload as Record<string, unknown> | null) ?? null,
      createdAt: new Date(m.createdAt).toISOString(),
    };
  }

  private async agentName(agentId: string): Promise<string | null> {
    const cached = this.agentNames.get(agentId);
    if (cached !== undefined) return cached;
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId }, select: { name: true } });
    if (this.agentNames.size > 5_000) this.agentNames.clear();
    if (agent) this.agentNames.set(agentId, agent.name);
    return agent?.name ?? null;
  }
}

function senderOf(p: Principal): { type: SenderType; id: string } {
  return p.kind === 'agent' ? { type: 'agent', id: p.agentId } : { type: 'contact', id: p.contactId };
}
