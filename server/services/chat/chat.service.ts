// Conversations and messages: membership, the gap-free idempotent send pipeline, history, read state.
import type {
  ConversationDto,
  ConversationsPage,
  HistoryPage,
  MessageDto,
  MessageKind,
  MessageStatusEvent,
  SenderType,
} from '../../../protocol/chat.ts';
import type { Conversation, Contact, Message, PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { CustomerIdentity, VisitorIdentity } from '../auth/tokens.ts';
import { boundedCache } from '../cache.ts';
import { LocalInvalidationBus, type InvalidationBus } from '../invalidation.ts';
import type { Principal } from '../principal.ts';
import type { Publisher } from '../publisher.ts';
import { customerKey, rooms, visitorKey } from '../rooms.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { ContactWriter } from './contact-writer.ts';
import { CurrentConversations, type ConversationWithContact } from './current-conversations.ts';
import { MessageWriter, type StoredMessageRow } from './message-writer.ts';
import type { SqlRunner } from '../../db/sql.ts';
import { normalizeText } from './text.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { derivedId } from '../ids.ts';

const DEFAULT_PAGE = 30;
/** Advisory lock namespace for creating a customer's conversation (see postToCustomer). */
const CUSTOMER_LOCK = 72707372;
const MEMBER_CACHE_TTL_MS = 30_000;
const AGENT_NAME_TTL_MS = 5 * 60_000;
const CACHE_MAX = 10_000;
/**
 * A customer's last-seen time is written at most this often: a connection (every page view, every tab) of a
 * customer seen recently, with the same name and email, reuses the contact instead of writing it again.
 */
const LAST_SEEN_PRECISION_MS = 5 * 60_000;
/**
 * Past this wait for the database (the oldest message not yet written), the server is past its capacity:
 * new commands are refused with OVERLOADED instead of queueing into seconds of latency.
 */
const WRITE_BACKLOG_LIMIT_MS = 200;
/** Ids of one visitor's moved conversations per invalidation event. */
const MOVED_PER_EVENT = 1_000;
type VisitorPrincipal = Principal & { kind: 'visitor' };

/** A conversation someone may act in: a stored one, or a new visitor's first one, not stored until they write. */
type Membership = { conversation: ConversationWithContact } | { draft: VisitorPrincipal };

export interface ChatServiceOptions {
  /** The hot path's own SQL (Database.sql). */
  sql: SqlRunner;
  /** Conversations moved to another contact, deleted workspaces and agents: forgotten on every instance. */
  invalidation?: InvalidationBus;
  /**
   * A stored payload as it is read now, by history pages and live messages alike: payment cards get a fresh
   * receipt link for the conversation's customer (stored links expire). Without it, payloads are sent as stored.
   */
  presentPayload?: PresentPayload;
  /**
   * Runs before an agent's message is stored, in the conversation's send order: the assistant's takeover
   * (mode ai → human, its system message) lands before the agent's first reply.
   */
  beforeAgentMessage?: (conversation: StoredConversation, agent: Principal & { kind: 'agent' }) => Promise<void>;
  /** A customer wrote in a resolved conversation: it is open again, in a fresh assistant episode. */
  onReopened?: (conversation: StoredConversation) => void;
  /** A message was stored (not a duplicate): the agent console's inbox row changed. Errors are the hook's. */
  onStored?: (conversation: StoredConversation, sender: { type: SenderType; id: string | null }, seq: number) => Promise<void> | void;
  /** A reader's cursor moved (the console syncs an agent's tabs and unread counts). */
  onRead?: (p: Principal, conversationId: string, seq: number) => void;
}

export type StoredConversation = ConversationWithContact;

export type PresentPayload = (
  payload: Record<string, unknown>,
  kind: MessageKind,
  contact: Pick<Contact, 'workspaceId' | 'externalId'>,
) => Promise<Record<string, unknown>>;

export interface NewMessage {
  clientMessageId: string;
  text: string;
  kind?: MessageKind;
  payload?: Record<string, unknown> | null;
  /** The sending connection: its ack carries the message, so the broadcast skips it (its other tabs and devices still get it). */
  from?: string;
}

export class ChatService {
  private readonly agentNames = boundedCache<{ name: string | null }>({ max: CACHE_MAX, ttlMs: AGENT_NAME_TTL_MS });
  /** Per-conversation send order on this server: the order messages are handed to the writer (their seq order). */
  private readonly sendQueue = new KeyedQueue();
  /** Per-conversation publish order: messages leave in seq order while the next ones are being written. */
  private readonly publishQueue = new KeyedQueue();
  /** One find-or-create of a customer's conversation at a time (system posts for the same customer). */
  private readonly customerQueue = new KeyedQueue();
  /**
   * Customer → the conversation system posts go to, briefly: skips the contact and conversation look-ups on
   * the payments hot path. A post into one resolved meanwhile reopens it (the insert does), which is fine.
   */
  private readonly customerConversations = boundedCache<ConversationWithContact>({ max: CACHE_MAX, ttlMs: MEMBER_CACHE_TTL_MS });
  private readonly memberCache = boundedCache<ConversationWithContact>({ max: CACHE_MAX, ttlMs: MEMBER_CACHE_TTL_MS });
  /** workspace|externalId → the contact as last written (its lastSeenAt at most LAST_SEEN_PRECISION_MS old). */
  private readonly recentContacts = boundedCache<Contact>({ max: CACHE_MAX, ttlMs: LAST_SEEN_PRECISION_MS });
  private readonly invalidation: InvalidationBus;
  /** Stores messages of different conversations arriving together in one statement. */
  private readonly writer: MessageWriter;
  /** Finds or creates the contacts of customers connecting together in one statement. */
  private readonly contacts: ContactWriter;
  /** Customers' current conversations, for the cards posted into them (batched reads). */
  private readonly currentConversations: CurrentConversations;
  private readonly presentPayload: PresentPayload | undefined;
  private readonly beforeAgentMessage: ChatServiceOptions['beforeAgentMessage'];
  private readonly onReopened: ChatServiceOptions['onReopened'];
  private readonly onStored: ChatServiceOptions['onStored'];
  private readonly onRead: ChatServiceOptions['onRead'];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: Publisher,
    opts: ChatServiceOptions,
  ) {
    this.invalidation = opts.invalidation ?? new LocalInvalidationBus();
    this.writer = new MessageWriter(opts.sql);
    this.contacts = new ContactWriter(opts.sql, { lastSeenPrecisionMs: LAST_SEEN_PRECISION_MS });
    this.currentConversations = new CurrentConversations(opts.sql);
    this.presentPayload = opts.presentPayload;
    this.beforeAgentMessage = opts.beforeAgentMessage;
    this.onReopened = opts.onReopened;
    this.onStored = opts.onStored;
    this.onRead = opts.onRead;
    this.invalidation.subscribe((event) => {
      switch (event.type) {
        case 'conversations-moved':
          for (const id of event.conversationIds) this.memberCache.delete(id);
          break;
        case 'agent':
          this.agentNames.delete(event.agentId);
          break;
        case 'workspace':
          // Rare: a deleted workspace's conversations may be anywhere in the caches.
          if (event.deleted) this.forgetAll();
          break;
        case 'all':
          this.forgetAll();
          break;
      }
    });
  }

  private forgetAll(): void {
    this.memberCache.clear();
    this.customerConversations.clear();
    this.agentNames.clear();
    this.recentContacts.clear();
  }

  /**
   * The contact id of an anonymous visitor, without creating anything: the stored contact's, or the id it
   * will be stored under when the visitor first writes (derived from the visitor id). Handshakes and page
   * views therefore cost no row; only visitors who say something become contacts.
   */
  async visitorContactId(identity: VisitorIdentity): Promise<string> {
    const found = await this.prisma.contact.findUnique({
      where: { workspaceId_visitorId: { workspaceId: identity.workspaceId, visitorId: identity.visitorId } },
      select: { id: true },
    });
    return found?.id ?? derivedId('visitor-contact', identity.workspaceId, identity.visitorId);
  }

  /**
   * Find or create the contact behind a customer's identity token, with the name and email it carries, in one
   * statement (shared with the customers connecting at the same time: ContactWriter). Its last-seen time is
   * written at most every LAST_SEEN_PRECISION_MS: a connection of a customer seen recently, with the same name
   * and email, writes nothing (and one seen by this instance costs no query).
   */
  async resolveContact(identity: CustomerIdentity): Promise<Contact> {
    const key = `${identity.workspaceId}|${identity.externalId}`;
    const recent = this.recentContacts.get(key);
    if (recent && (identity.name === undefined || identity.name === recent.name) && (identity.email === undefined || identity.email === recent.email)) {
      return recent;
    }
    const contact =
      (await this.contacts.resolve(identity)) ??
      // Only when another connection created it after this statement's snapshot: it is there now.
      (await this.prisma.contact.findUniqueOrThrow({
        where: { workspaceId_externalId: { workspaceId: identity.workspaceId, externalId: identity.externalId } },
      }));
    this.recentContacts.set(key, contact);
    return contact;
  }

  /** A visitor who logs in keeps the conversations they started anonymously. */
  async mergeVisitorInto(workspaceId: string, visitorId: string, customerContactId: string): Promise<number> {
    const visitor = await this.prisma.contact.findUnique({
      where: { workspaceId_visitorId: { workspaceId, visitorId } },
    });
    if (!visitor || visitor.id === customerContactId) return 0;
    const moved = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "Conversation" SET "contactId" = ${customerContactId}::uuid, "updatedAt" = now()
       WHERE "contactId" = ${visitor.id}::uuid
   RETURNING "id"`;
    // Every instance forgets these conversations' old member, so the anonymous identity can no longer act in them.
    const ids = moved.map((r) => r.id);
    for (let i = 0; i < ids.length; i += MOVED_PER_EVENT) {
      await this.invalidation.publish({
        type: 'conversations-moved',
        workspaceId,
        fromContactId: visitor.id,
        toContactId: customerContactId,
        conversationIds: ids.slice(i, i + MOVED_PER_EVENT),
      });
    }
    return ids.length;
  }

  /**
   * The customer's open conversation (any device), or a new one, with its newest page. Agents cannot start
   * conversations here. `join` is awaited between choosing the conversation and reading the page: whoever
   * joins the conversation's room there gets every later message live, and every earlier one in the page.
   * A visitor who never wrote gets their first conversation unstored (a draft, `lastSeq` 0), even with
   * `forceNew`; it is stored with their first message.
   */
  async startConversation(
    p: Principal,
    opts: { forceNew?: boolean; conversationId?: string; limit?: number } = {},
    join: (conversationId: string) => Promise<void> = async () => {},
  ): Promise<{ conversation: ConversationDto; created: boolean; others: number } & HistoryPage> {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Agents reply to conversations; customers start them.');
    if (p.kind === 'visitor' && !(await this.contactStored(p.contactId))) {
      const draft = this.draftDto(p);
      if (opts.conversationId && opts.conversationId !== draft.id) throw new AppError('FORBIDDEN', 'You are not a member of this conversation.');
      await join(draft.id);
      return { conversation: draft, created: true, others: 0, messages: [], hasMore: false };
    }
    const { conversation, created } = opts.conversationId
      ? { conversation: await this.getForMember(p, opts.conversationId), created: false }
      : opts.forceNew
        ? { conversation: await this.createConversation(this.prisma, p.workspaceId, p.contactId), created: true }
        : await this.openConversationFor(p.workspaceId, p.contactId);
    await join(conversation.id);
    const [{ page, conversation: current }, others] = await Promise.all([
      this.readPage(conversation.id, {}, opts.limit ?? DEFAULT_PAGE),
      // Nothing of theirs hidden: the widget offers the list when there are more (a guest who signed in).
      this.prisma.conversation.count({ where: { contactId: p.contactId, lastSeq: { gt: 0 }, id: { not: conversation.id } } }),
    ]);
    // Read and checked just now: the first message of this conversation needs no membership query.
    this.memberCache.set(current.id, current);
    return { conversation: await this.toConversationDto(current), created, others, ...page };
  }

  /**
   * An agent starts a new conversation with a customer (even one whose earlier conversations are resolved):
   * with a person from the start, assigned to the agent, opened by the agent's message. The customer's open
   * widget hears of it in their user room (`conversation-started`); a closed one resumes it on the next
   * start-conversation (the most recent open conversation). Idempotent on clientMessageId per agent.
   */
  async startWithCustomer(agent: Principal & { kind: 'agent' }, contactId: string, input: NewMessage): Promise<{ conversation: ConversationDto; message: MessageDto }> {
    const contact = await this.prisma.contact.findFirst({ where: { id: contactId, workspaceId: agent.workspaceId } });
    if (!contact) throw new AppError('NOT_FOUND', 'No such customer in this workspace.');
    const id = derivedId('agent-started', agent.agentId, input.clientMessageId);
    const now = new Date();
    await this.prisma.conversation.createMany({
      data: [{ id, workspaceId: agent.workspaceId, contactId, lastMessageAt: now, mode: 'human', assigneeId: agent.agentId, handoffAt: now, handoffReason: 'agent-started' }],
      skipDuplicates: true,
    });
    const { message } = await this.send(agent, id, input);
    const conversation = await this.describe(agent, id);
    const key = contact.externalId !== null ? customerKey(contact.externalId) : contact.visitorId !== null ? visitorKey(contact.visitorId) : null;
    if (key) this.publisher.publish([rooms.user(agent.workspaceId, key)], 'conversation-started', { conversation, message });
    return { conversation, message };
  }

  /** The customer's (or visitor's) own conversations that have messages, most recent first, each with its last message. */
  async listForContact(p: Principal, opts: { cursor?: string; limit?: number }): Promise<ConversationsPage> {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Agents list conversations through the agent API.');
    const limit = opts.limit ?? 20;
    const after = opts.cursor ? decodeCursor(opts.cursor) : null;
    const rows = await this.prisma.conversation.findMany({
      where: {
        workspaceId: p.workspaceId,
        contactId: p.contactId,
        lastSeq: { gt: 0 },
        ...(after && { OR: [{ lastMessageAt: { lt: after.at } }, { lastMessageAt: after.at, id: { lt: after.id } }] }),
      },
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      include: { contact: true },
    });
    const page = rows.slice(0, limit);
    const last = await this.prisma.message.findMany({ where: { OR: page.map((c) => ({ conversationId: c.id, seq: c.lastSeq })) } });
    const conversations = await Promise.all(
      page.map(async (c) => {
        const m = last.find((x) => x.conversationId === c.id);
        return { ...(await this.toConversationDto(c)), lastMessage: m ? await this.toMessageDto(m, c.contact) : null };
      }),
    );
    const tail = page.at(-1);
    return { conversations, nextCursor: rows.length > limit && tail?.lastMessageAt ? encodeCursor(tail.lastMessageAt, tail.id) : null };
  }

  private async contactStored(contactId: string): Promise<boolean> {
    return (await this.prisma.contact.findUnique({ where: { id: contactId }, select: { id: true } })) !== null;
  }

  /** A visitor's first conversation before it is stored: its id is derived, so every tab of theirs agrees on it. */
  private draftDto(p: VisitorPrincipal): ConversationDto {
    return {
      id: draftConversationId(p),
      status: 'open',
      mode: 'ai',
      contact: { id: p.contactId, name: null, email: null, externalId: null },
      assigneeId: null,
      lastSeq: 0,
      lastMessageAt: null,
      createdAt: new Date().toISOString(),
      read: { contact: 0, agent: 0 },
    };
  }

  /** Store a visitor's draft conversation (and them as a contact): their first message is on its way. */
  private async storeDraft(p: VisitorPrincipal): Promise<ConversationWithContact> {
    const id = draftConversationId(p);
    const now = new Date();
    // Several tabs (or instances) may do this at once: whoever comes second finds the rows there.
    await this.prisma.contact.createMany({
      data: [{ id: p.contactId, workspaceId: p.workspaceId, visitorId: p.visitorId, lastSeenAt: now }],
      skipDuplicates: true,
    });
    await this.prisma.conversation.createMany({
      data: [{ id, workspaceId: p.workspaceId, contactId: p.contactId, lastMessageAt: now }],
      skipDuplicates: true,
    });
    return this.getForMember(p, id);
  }

  /**
   * The contact's open (or pending) conversation, or a new one. Two tabs, devices or instances asking at
   * once would each create one; the advisory lock lets one create and the others find it.
   */
  private async openConversationFor(workspaceId: string, contactId: string) {
    const openOne = (db: Pick<PrismaClient, 'conversation'>) =>
      db.conversation.findFirst({
        // A snoozed conversation is still the customer's current one (their message wakes it).
        where: { contactId, status: { in: ['open', 'pending', 'snoozed'] } },
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
  private async getForMember(p: Principal, conversationId: string): Promise<ConversationWithContact> {
    const membership = await this.membership(p, conversationId);
    if ('draft' in membership) throw notMember();
    return membership.conversation;
  }

  /** getForMember, or the visitor's own unstored first conversation. */
  private async membership(p: Principal, conversationId: string): Promise<Membership> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
      include: { contact: true },
    });
    if (conversation) {
      if (isMember(p, conversation)) return { conversation };
    } else if (p.kind === 'visitor' && conversationId === draftConversationId(p)) {
      return { draft: p };
    }
    // Same answer for "missing" and "not yours": ids of other people's conversations reveal nothing.
    throw notMember();
  }

  /**
   * getForMember for the send hot path, storing a visitor's draft on their first message. Membership
   * (workspace, contact) of a conversation changes only when a visitor's conversations move to the customer
   * they sign in as, which every instance hears of on the invalidation bus.
   */
  private async getForMemberCached(p: Principal, conversationId: string): Promise<ConversationWithContact> {
    const hit = this.memberCache.get(conversationId);
    if (hit && isMember(p, hit)) return hit;
    const membership = await this.membership(p, conversationId);
    const conversation = 'draft' in membership ? await this.storeDraft(membership.draft) : membership.conversation;
    this.memberCache.set(conversationId, conversation);
    return conversation;
  }

  async describe(p: Principal, conversationId: string): Promise<ConversationDto> {
    const membership = await this.membership(p, conversationId);
    return 'draft' in membership ? this.draftDto(membership.draft) : this.toConversationDto(membership.conversation);
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
    const { stored } = await this.sendQueue.run(conversationId, async () => {
      if (p.kind === 'agent' && this.beforeAgentMessage) {
        // The takeover reads and changes the conversation: after everything sent before it is stored.
        await this.settled(conversationId);
        await this.beforeAgentMessage(conversation, p);
      }
      return { stored: this.persistAndPublish(senderOf(p), conversation, text, input) };
    });
    return (await stored)!;
  }

  /** Settles once every message of the conversation handed to the writer so far is stored and published. */
  private settled(conversationId: string): Promise<void> {
    return this.publishQueue.run(conversationId, async () => {});
  }

  /** Messages wait for the database longer than they should: callers should refuse new work for a moment. */
  get congested(): boolean {
    return this.writer.backlogMs() > WRITE_BACKLOG_LIMIT_MS;
  }

  /** The conversation if `p` may act in it (a visitor's draft is stored: they are about to write). */
  conversationFor(p: Principal, conversationId: string): Promise<StoredConversation> {
    return this.getForMemberCached(p, conversationId);
  }

  /** Runs `task` in the conversation's send order on this server (after messages being stored now). */
  inOrder<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    return this.sendQueue.run(conversationId, async () => {
      await this.settled(conversationId);
      return task();
    });
  }

  /**
   * The assistant's answer, stored and published only while the conversation is still in assistant mode
   * (checked in the same statement): an answer that lost the race to a handoff is never stored. Null then.
   * Call inside inOrder(); idempotent on clientMessageId like every message.
   */
  async postAsAssistant(conversation: StoredConversation, input: NewMessage): Promise<{ message: MessageDto; duplicate: boolean } | null> {
    return this.persistAndPublish({ type: 'assistant', id: null }, conversation, normalizeText(input.text), input, { onlyInAiMode: true });
  }

  /** A system line (a handoff, a hand-back) in the conversation. Call inside inOrder(). */
  async postSystem(conversation: StoredConversation, input: NewMessage): Promise<{ message: MessageDto; duplicate: boolean }> {
    return (await this.persistAndPublish({ type: 'system', id: null }, conversation, normalizeText(input.text), { kind: 'system', ...input }))!;
  }

  /**
   * A system message (e.g. a payment card) in a customer's support conversation: their open one, or a new
   * one; the customer need not have connected yet. Same pipeline as send(), so idempotent on clientMessageId.
   */
  async postToCustomer(workspaceId: string, externalId: string, input: NewMessage): Promise<{ message: MessageDto; duplicate: boolean }> {
    const text = normalizeText(input.text);
    const key = `${workspaceId}:${externalId}`;
    const { stored } = await this.customerQueue.run(key, async () => {
      const conversation = await this.customerConversation(key, workspaceId, externalId);
      return this.sendQueue.run(conversation.id, async () => ({ stored: this.persistAndPublish({ type: 'system', id: null }, conversation, text, input) }));
    });
    return (await stored)!;
  }

  private async customerConversation(key: string, workspaceId: string, externalId: string): Promise<ConversationWithContact> {
    const hit = this.customerConversations.get(key);
    if (hit) return hit;
    // The customers of events arriving together in one statement (and new customers' contacts and conversations
    // in another); only a stored customer without a current conversation takes the locked path below.
    const current =
      (await this.currentConversations.find(workspaceId, externalId)) ?? (await this.currentConversations.create(workspaceId, externalId));
    if (current) {
      this.customerConversations.set(key, current);
      return current;
    }
    const where = { workspaceId_externalId: { workspaceId, externalId } };
    const contact: Contact =
      (await this.prisma.contact.findUnique({ where })) ??
      (await this.prisma.contact.create({ data: { workspaceId, externalId } }).catch((err: unknown) => {
        // Another instance created it first.
        if (isUniqueViolation(err)) return this.prisma.contact.findUniqueOrThrow({ where });
        throw err;
      }));
    const { conversation } = await this.openConversationFor(workspaceId, contact.id);
    this.customerConversations.set(key, conversation);
    return conversation;
  }

  private async persistAndPublish(
    sender: { type: SenderType; id: string | null },
    conversation: ConversationWithContact,
    text: string,
    input: NewMessage,
    opts: { onlyInAiMode?: boolean } = {},
  ): Promise<{ message: MessageDto; duplicate: boolean } | null> {
    const conversationId = conversation.id;
    const onlyInAiMode = opts.onlyInAiMode === true;
    // Handed to the writer now, in send order (the caller holds the conversation's send queue); published in
    // the same order through the publish queue, while the next messages of the conversation are being written.
    const written = this.writer
      .write({
        conversationId,
        clientMessageId: input.clientMessageId,
        senderType: sender.type,
        senderId: sender.id,
        kind: input.kind ?? 'text',
        text,
        payload: input.payload ?? null,
        onlyInAiMode,
      })
      .then(
        (row) => ({ row }),
        (err: unknown) => {
          // A retry stored by another instance between the statement's check and its insert.
          if (isUniqueViolation(err)) return { row: null };
          return { err };
        },
      );
    return this.publishQueue.run(conversationId, async () => {
      const outcome = await written;
      if ('err' in outcome) throw outcome.err;
      return this.published(sender, conversation, input, outcome.row, onlyInAiMode);
    });
  }

  /** A written message (or none: a retry of a stored one, an answer that lost to a handoff) published. */
  private async published(
    sender: { type: SenderType; id: string | null },
    conversation: ConversationWithContact,
    input: NewMessage,
    row: StoredMessageRow | null,
    onlyInAiMode: boolean,
  ): Promise<{ message: MessageDto; duplicate: boolean } | null> {
    const conversationId = conversation.id;
    if (!row) {
      // Stored before: by a concurrent retry, or by an attempt whose answer was lost (a node that died
      // between commit and publish, a dropped connection). Publish it again: devices that never received
      // it live get it now, and clients drop the copies they already hold (same id).
      const stored = await this.findByClientId(conversationId, input.clientMessageId);
      if (stored) return { message: this.publishMessage(conversation, await this.toMessageDto(stored, conversation.contact), input.from), duplicate: true };
      // The assistant lost the race to a handoff: nothing stored, by design.
      if (onlyInAiMode && (await this.prisma.conversation.count({ where: { id: conversationId } }))) return null;
      // The conversation is gone (its workspace was deleted) since membership was checked.
      this.memberCache.delete(conversationId);
      throw notMember();
    }
    const { reopened, ...stored } = row;
    const message = this.publishMessage(conversation, await this.toMessageDto(stored, conversation.contact), input.from);
    // A customer writing in a resolved conversation reopens it in a fresh assistant episode (no handoff
    // loop: the assistant does not read the episode that ended with a person).
    if (reopened) this.onReopened?.(conversation);
    if (this.onStored) await this.onStored(conversation, sender, stored.seq);
    return { message, duplicate: false };
  }

  private publishMessage(conversation: Pick<Conversation, 'id' | 'workspaceId'>, message: MessageDto, except?: string): MessageDto {
    this.publisher.publish([rooms.conversation(conversation.id), rooms.agents(conversation.workspaceId)], 'message-received', message, { except });
    return message;
  }

  /**
   * A page of messages, oldest first: the newest `limit` before `beforeSeq` (or the newest of all), or with
   * `afterSeq` the oldest `limit` after it (a reconnecting device catching up from the last seq it holds).
   */
  async history(p: Principal, conversationId: string, opts: PageRange & { limit?: number }): Promise<HistoryPage> {
    const membership = await this.membership(p, conversationId);
    if ('draft' in membership) return { messages: [], hasMore: false };
    return (await this.readPage(conversationId, opts, opts.limit ?? DEFAULT_PAGE)).page;
  }

  /** Move the reader's read (or delivered) cursor forward; never backward, never past the last message. */
  async markRead(p: Principal, conversationId: string, seq: number, status: 'read' | 'delivered' = 'read') {
    const membership = await this.membership(p, conversationId);
    // Nothing to read in a conversation not stored yet.
    if ('draft' in membership) return { seq: 0 };
    const { conversation } = membership;
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
    if (status === 'read') this.onRead?.(p, conversationId, value);
    this.publisher.publish([rooms.conversation(conversationId), rooms.agents(conversation.workspaceId)], 'message-status', {
      conversationId,
      reader,
      seq: value,
      status,
    });
    return { seq: value };
  }

  /** Conversations of a workspace, most recent activity first, with an opaque keyset cursor. */
  async listForWorkspace(workspaceId: string, opts: { status?: Conversation['status']; contactId?: string; cursor?: string; limit?: number }) {
    const limit = opts.limit ?? 25;
    const after = opts.cursor ? decodeCursor(opts.cursor) : null;
    const rows = await this.prisma.conversation.findMany({
      where: {
        workspaceId,
        // A widget opens (or resumes) a conversation on connect; until someone writes, agents need not see it.
        lastSeq: { gt: 0 },
        ...(opts.status && { status: opts.status }),
        ...(opts.contactId && { contactId: opts.contactId }),
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

  /** A stored message of the conversation by its client id, as clients see it; null when there is none. */
  async storedMessage(conversation: StoredConversation, clientMessageId: string): Promise<MessageDto | null> {
    const row = await this.findByClientId(conversation.id, clientMessageId);
    return row ? this.toMessageDto(row, conversation.contact) : null;
  }

  private findByClientId(conversationId: string, clientMessageId: string) {
    return this.prisma.message.findUnique({
      where: { conversationId_clientMessageId: { conversationId, clientMessageId } },
    });
  }

  /** One page and the conversation as it is now (read together, so its lastSeq covers the page). */
  private async readPage(conversationId: string, range: PageRange, limit: number) {
    const forward = range.afterSeq !== undefined;
    const seq = {
      ...(range.afterSeq !== undefined && { gt: range.afterSeq }),
      ...(range.beforeSeq !== undefined && { lt: range.beforeSeq }),
    };
    const [rows, conversation] = await Promise.all([
      this.prisma.message.findMany({
        where: { conversationId, ...((forward || range.beforeSeq !== undefined) && { seq }) },
        orderBy: { seq: forward ? 'asc' : 'desc' },
        take: limit + 1,
      }),
      this.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { contact: true } }),
    ]);
    const hasMore = rows.length > limit;
    const chosen = forward ? rows.slice(0, limit) : rows.slice(0, limit).reverse();
    const messages = await Promise.all(chosen.map((m) => this.toMessageDto(m, conversation.contact)));
    return { page: { messages, hasMore } satisfies HistoryPage, conversation };
  }

  private async toConversationDto(c: ConversationWithContact): Promise<ConversationDto> {
    const cursors = await this.prisma.readCursor.findMany({ where: { conversationId: c.id } });
    const maxOf = (type: 'contact' | 'agent') =>
      Math.max(0, ...cursors.filter((r) => r.participantType === type).map((r) => r.lastReadSeq));
    return {
      id: c.id,
      // A snooze is the team's business: to the customer (and the existing API) the conversation is open.
      // The console reads the full status through the inbox's own DTO (protocol/console.ts).
      status: c.status === 'snoozed' ? 'open' : c.status,
      mode: c.mode,
      contact: { id: c.contact.id, name: c.contact.name, email: c.contact.email, externalId: c.contact.externalId },
      assigneeId: c.assigneeId,
      lastSeq: c.lastSeq,
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      read: { contact: maxOf('contact'), agent: maxOf('agent') },
    };
  }

  private async toMessageDto(m: Omit<Message, 'payload' | 'workspaceId'> & { payload: unknown }, contact: Contact): Promise<MessageDto> {
    let name: string | null = null;
    if (m.senderType === 'contact') name = contact.name;
    else if (m.senderType === 'agent' && m.senderId) name = await this.agentName(m.senderId);
    else if (m.senderType === 'assistant') name = 'Assistant';
    const stored = (m.payload as Record<string, unknown> | null) ?? null;
    return {
      id: m.id,
      conversationId: m.conversationId,
      seq: m.seq,
      clientMessageId: m.clientMessageId,
      sender: { type: m.senderType as SenderType, id: m.senderId, name },
      kind: m.kind as MessageKind,
      text: m.text,
      payload: stored && this.presentPayload ? await this.presentPayload(stored, m.kind as MessageKind, contact) : stored,
      createdAt: new Date(m.createdAt).toISOString(),
    };
  }

  private async agentName(agentId: string): Promise<string | null> {
    const cached = this.agentNames.get(agentId);
    if (cached) return cached.name;
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId }, select: { name: true } });
    this.agentNames.set(agentId, { name: agent?.name ?? null });
    return agent?.name ?? null;
  }
}

/** Which messages a page holds: before `beforeSeq`, after `afterSeq`, or both (a window). */
export interface PageRange {
  beforeSeq?: number;
  afterSeq?: number;
}

function isMember(p: Principal, c: Pick<Conversation, 'workspaceId' | 'contactId'>): boolean {
  return c.workspaceId === p.workspaceId && (p.kind === 'agent' || c.contactId === p.contactId);
}

const notMember = () => new AppError('FORBIDDEN', 'You are not a member of this conversation.');

const draftConversationId = (p: VisitorPrincipal) => derivedId('visitor-conversation', p.workspaceId, p.visitorId);

function senderOf(p: Principal): { type: SenderType; id: string } {
  return p.kind === 'agent' ? { type: 'agent', id: p.agentId } : { type: 'contact', id: p.contactId };
}
