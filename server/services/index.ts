// Builds every domain service from its dependencies, in one place. No module-level state: tests build
// fresh ones. Services reach clients only through `publisher`, which the gateway attaches once it exists.
import type { PrismaClient } from '../db/generated/client.ts';
import { prismaSqlRunner, type SqlRunner } from '../db/sql.ts';
import { AgentService } from './auth/agents.service.ts';
import { AssistantChat } from './assistant/assistant-chat.ts';
import { AssistantService } from './assistant/assistant.service.ts';
import { LlmAnswerer, type LlmLog } from './assistant/llm.ts';
import { ReplyTimes } from './assistant/reply-time.ts';
import { TokenService } from './auth/tokens.ts';
import { ChatService } from './chat/chat.service.ts';
import { CannedReplyService } from './inbox/canned.service.ts';
import { ContactService } from './inbox/contacts.service.ts';
import { InboxService } from './inbox/inbox.service.ts';
import { KbAdmin } from './assistant/kb-admin.ts';
import { SearchService } from './inbox/search.service.ts';
import { NotificationService } from './notifications/notifications.service.ts';
import { PaymentService } from './payments/payments.service.ts';
import { ReceiptLinks } from './payments/receipt-links.ts';
import { ReceiptService } from './payments/receipts.service.ts';
import { LocalInvalidationBus, type InvalidationBus } from './invalidation.ts';
import { LatePublisher } from './publisher.ts';
import { RateLimits, type RateLimitOptions } from './rate-limits.ts';
import { WorkspaceService } from './workspaces.service.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  /** The hot paths' own statements (Database.sql); through Prisma when omitted (tools, some tests). */
  sql?: SqlRunner;
  now?: () => number;
  /**
   * This server's public URL, for receipt links. A function: with PORT=0 it is known only once listening.
   * Tools that never build links (the admin CLI, benchmarks) leave it out.
   */
  baseUrl?: () => string;
  /** In memory unless a Redis client is given. */
  rateLimits?: RateLimitOptions;
  /**
   * How changes reach every instance's caches: createInvalidationBus() (Redis when configured). Processes
   * that change data while servers run (the admin CLI) must pass the same kind of bus the servers use.
   */
  invalidation?: InvalidationBus;
  /** How long a rotated-out secret stays valid by default (SECRET_ROTATION_GRACE_HOURS); 24 h when omitted. */
  secretGraceMs?: number;
  /**
   * The assistant's optional LLM (config.llm): answers are composed by this model, with the embedded engine
   * as the router and the fallback. Omitted: the embedded engine alone.
   */
  llm?: { url: string; key: string; model: string; firstTokenTimeoutMs: number; timeoutMs: number } | null;
  /** Where the assistant logs an LLM answer replaced by the embedded one (never with the key). */
  log?: LlmLog;
  /** How often due snoozes are woken (10 s by default). */
  snoozeSweepMs?: number;
}

export interface Services {
  workspaces: WorkspaceService;
  agents: AgentService;
  tokens: TokenService;
  chat: ChatService;
  notifications: NotificationService;
  payments: PaymentService;
  receipts: ReceiptService;
  rateLimits: RateLimits;
  publisher: LatePublisher;
  invalidation: InvalidationBus;
  /** The answer engine, knowledge base, interactions and report (transport-free). */
  assistant: AssistantService;
  /** The assistant in conversations: questions, streamed answers, votes, and the handoff to people. */
  assistantChat: AssistantChat;
  /** The agent console's inbox: views, counts, state machine, notes, live rows. */
  inbox: InboxService;
  search: SearchService;
  /** The console's customer sidebar: who, previous conversations, payments. */
  contacts: ContactService;
  /** The workspace's canned replies, rendered per conversation. */
  canned: CannedReplyService;
  /** The knowledge base and the assistant's misses, for the console's admins. */
  kbAdmin: KbAdmin;
  /** This server's own origin (the console's): cookie sign-in, CSRF and cookie sockets are checked against it. */
  publicOrigin: () => string;
}

/**
 * Cached look-ups live this long at most. Changes made through the services are forgotten at once through
 * the bus; the lifetime bounds staleness from writers that bypass it, and from events lost while Redis was
 * unreachable. A shared bus also carries other processes' changes, so its caches may live longer.
 */
const CACHE_TTL_MS = { local: 5_000, shared: 60_000 };

export function createServices(deps: ServiceDeps): Services {
  const { prisma, now = Date.now, baseUrl = noBaseUrl, invalidation = new LocalInvalidationBus() } = deps;
  const sql = deps.sql ?? prismaSqlRunner(prisma);
  const cacheTtlMs = invalidation.shared ? CACHE_TTL_MS.shared : CACHE_TTL_MS.local;
  const publisher = new LatePublisher();
  const tokens = new TokenService(now);
  const agents = new AgentService(prisma, now, invalidation);
  // Customers' receipt links are minted again whenever their notifications or chat history are read.
  const links = new ReceiptLinks(prisma, { now, baseUrl, invalidation });
  // The chat pipeline and the assistant know each other through two hooks: an agent's reply takes the
  // conversation over from the assistant, and a reopened conversation is the assistant's again.
  let assistantChat: AssistantChat | null = null;
  // The inbox hears of every stored message and read mark (its rows, counts and unread move with them).
  let inbox: InboxService | null = null;
  const chat = new ChatService(prisma, publisher, {
    sql,
    invalidation,
    presentPayload: (payload, kind, contact) => links.presentCard(payload, kind, contact),
    beforeAgentMessage: async (conversation, agent) => assistantChat?.beforeAgentMessage(conversation, agent),
    onReopened: (conversation) => assistantChat?.onReopened(conversation),
    onStored: (conversation, sender, seq) =>
      // The message is stored and published: a failure here only delays the console's row (it resyncs).
      inbox?.onMessage(conversation, sender, seq).catch((err: unknown) => deps.log?.warn({ err }, 'inbox update failed')),
    onRead: (p, conversationId, seq) => inbox?.onRead(p, conversationId, seq),
  });
  inbox = new InboxService({
    prisma,
    chat,
    publisher,
    now,
    ...(deps.snoozeSweepMs !== undefined && { snoozeSweepMs: deps.snoozeSweepMs }),
    ...(deps.log && { onError: (err: unknown, context: string) => deps.log!.warn({ err, context }, 'inbox publish failed') }),
  });
  const notifications = new NotificationService(prisma, publisher, (workspaceId, userId, views) => links.refresh(workspaceId, userId, views));
  const assistant = new AssistantService(prisma, { invalidation, cacheTtlMs, now });
  const replyTimes = new ReplyTimes(prisma, { now });
  if (deps.llm) {
    const { url, key, model, firstTokenTimeoutMs, timeoutMs } = deps.llm;
    assistant.useAnswerer(new LlmAnswerer(assistant, { url, key, model, firstTokenTimeoutMs, timeoutMs, ...(deps.log && { log: deps.log }) }));
  }
  assistantChat = new AssistantChat({
    prisma,
    chat,
    assistant,
    publisher,
    invalidation,
    replyTime: (workspaceId) => replyTimes.of(workspaceId),
    ...(deps.log && { onError: (err: unknown, context: object) => deps.log!.warn({ err, ...context }, 'the assistant could not answer') }),
  });
  return {
    workspaces: new WorkspaceService(prisma, {
      now,
      invalidation,
      cacheTtlMs,
      ...(deps.secretGraceMs !== undefined && { secretGraceMs: deps.secretGraceMs }),
    }),
    agents,
    tokens,
    chat,
    notifications,
    payments: new PaymentService({ prisma, publisher, notifications, cards: chat, baseUrl, links, sql }),
    receipts: new ReceiptService(prisma, { tokens, agents, links, baseUrl }),
    rateLimits: new RateLimits(deps.rateLimits),
    publisher,
    invalidation,
    assistant,
    assistantChat,
    inbox,
    search: new SearchService(prisma),
    contacts: new ContactService(prisma, { links, baseUrl }),
    canned: new CannedReplyService(prisma),
    kbAdmin: new KbAdmin(prisma, assistant),
    publicOrigin: () => new URL(baseUrl()).origin,
  };
}

function noBaseUrl(): never {
  throw new Error('createServices: a link was built without baseUrl');
}
