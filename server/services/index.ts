// Builds every domain service from its dependencies, in one place. No module-level state: tests build
// fresh ones. Services reach clients only through `publisher`, which the gateway attaches once it exists.
import type { PrismaClient } from '../db/generated/client.ts';
import { AgentService } from './auth/agents.service.ts';
import { TokenService } from './auth/tokens.ts';
import { ChatService } from './chat/chat.service.ts';
import { NotificationService } from './notifications/notifications.service.ts';
import { PaymentService } from './payments/payments.service.ts';
import { ReceiptService } from './payments/receipts.service.ts';
import { LatePublisher } from './publisher.ts';
import { RateLimits, type RateLimitOptions } from './rate-limits.ts';
import { WorkspaceService } from './workspaces.service.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  now?: () => number;
  /**
   * This server's public URL, for receipt links. A function: with PORT=0 it is known only once listening.
   * Tools that never build links (the admin CLI, benchmarks) leave it out.
   */
  baseUrl?: () => string;
  /** In memory unless a Redis client is given. */
  rateLimits?: RateLimitOptions;
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
}

export function createServices(deps: ServiceDeps): Services {
  const { prisma, now = Date.now, baseUrl = noBaseUrl } = deps;
  const publisher = new LatePublisher();
  const tokens = new TokenService(now);
  const agents = new AgentService(prisma, now);
  const chat = new ChatService(prisma, publisher);
  const notifications = new NotificationService(prisma, publisher);
  return {
    workspaces: new WorkspaceService(prisma, { now }),
    agents,
    tokens,
    chat,
    notifications,
    payments: new PaymentService({ prisma, publisher, notifications, cards: chat, baseUrl }),
    receipts: new ReceiptService(prisma, { tokens, agents, baseUrl }),
    rateLimits: new RateLimits(deps.rateLimits),
    publisher,
  };
}

function noBaseUrl(): never {
  throw new Error('createServices: a link was built without baseUrl');
}
