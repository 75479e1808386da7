import { vi } from 'vitest';
// A scripted Connection for unit tests only: records every request and lets the test play the
// server (statuses, server events, replies). Never used by the product.
import type { ConversationDto, MessageDto, SessionEvent } from '../../protocol/chat.ts';
import type { CommandName, Commands, ServerEvents } from '../../protocol/events.ts';
import type { NotificationDto, PaymentEventDto } from '../../protocol/payments.ts';
import type { WidgetSessionResponse } from '../../protocol/rest.ts';
import type { ClientError, Connection, ConnectionStatus, Result, SocketAuth } from '../connection.ts';

type Reply<K extends CommandName> = Result<Commands[K]['reply']>;
type Handler = { [K in CommandName]?: (payload: Commands[K]['payload']) => Reply<K> | Promise<Reply<K>> };

export const CONVERSATION_ID = '00000000-0000-4000-8000-000000000001';

export function conversation(overrides: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id: CONVERSATION_ID,
    status: 'open',
    mode: 'ai',
    contact: { id: 'c1', name: null, email: null, externalId: null },
    assigneeId: null,
    lastSeq: 0,
    lastMessageAt: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    read: { contact: 0, agent: 0 },
    ...overrides,
  };
}

export function message(seq: number, overrides: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m-${seq}`,
    conversationId: CONVERSATION_ID,
    seq,
    clientMessageId: `cm-${seq}`,
    sender: { type: 'agent', id: 'a1', name: 'Ada' },
    kind: 'text',
    text: `message ${seq}`,
    payload: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 10, seq)).toISOString(),
    ...overrides,
  };
}

let uuidCounter = 0;
/** A notification id as the server makes them (UUIDs): `n` gives a stable one. */
export const notificationId = (n: number = ++uuidCounter + 1000): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The receipt link (`?k=`) the server puts in a party's receipt URL (opaque to the widget). */
export const RECEIPT_LINK = 'mh0x2a.receipt-link-of-customer-1';

/** One party's view of a payment, as the server sends it in `payment-event` and card payloads. */
export function paymentEvent(overrides: Partial<PaymentEventDto> = {}): PaymentEventDto {
  return {
    type: 'success',
    message: 'Payment received: 100 VRC from user123',
    amount: '100',
    timestamp: '2026-01-01T10:00:00.000Z',
    notificationId: notificationId(),
    paymentId: 'p-1',
    reference: 'order-1',
    status: 'succeeded',
    direction: 'in',
    token: 'VRC',
    counterparty: 'user123',
    counterpartyName: null,
    payer: 'user123',
    payee: 'customer-1',
    txHash: null,
    memo: null,
    failure: null,
    receiptId: 'r-1',
    receiptNumber: 1,
    receiptUrl: `http://localhost:1/receipts/r-1?k=${RECEIPT_LINK}`,
    ...overrides,
  };
}

export function notification(payment: PaymentEventDto, overrides: Partial<NotificationDto> = {}): NotificationDto {
  return { id: payment.notificationId, kind: 'payment', read: false, createdAt: payment.timestamp, payment, ...overrides };
}

export const CUSTOMER_SESSION: SessionEvent = {
  role: 'customer',
  workspace: { id: 'w1', name: 'Test Shop' },
  userRoom: 'user-customer-1',
  contactId: 'c1',
  agentId: null,
};

export interface FakeConnection extends Connection {
  requests: { name: CommandName; payload: unknown }[];
  sessions: { siteKey: string; visitorToken?: string }[];
  /** Site keys whose settings were asked for (GET /api/v1/widget/settings). */
  settingsRequests: string[];
  auths: SocketAuth[];
  handlers: Handler;
  sessionReply: Result<WidgetSessionResponse>;
  status: ConnectionStatus;
  /** What `connectNow()` says the server made of us (a visitor by default). */
  session: SessionEvent;
  setStatus(status: ConnectionStatus, error?: ClientError): void;
  emit<K extends keyof ServerEvents>(name: K, payload: ServerEvents[K]): void;
  /** Connected + the server's `session` event, as after a real handshake. */
  connectNow(): void;
  sent(name: CommandName): unknown[];
}

/** Waits for the widget's first paint (it waits for the visitor's catalog, a chunk of its own). */
export const drawn = (root: ShadowRoot): Promise<void> =>
  vi.waitFor(() => {
    if (!root.querySelector('.vc-launcher')) throw new Error('not drawn yet');
  });

/** Lets pending promise callbacks (acks, then-chains) run. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
};

export function createFakeConnection(): FakeConnection {
  /** The seq of the next message the fake server stores for the visitor. */
  const stored = (): number => 100 + fake.sent('send-message').length + fake.sent('send-ai-query').length;
  const statusListeners = new Set<(s: ConnectionStatus, e?: ClientError) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const fake: FakeConnection = {
    requests: [],
    sessions: [],
    settingsRequests: [],
    auths: [],
    status: 'idle',
    session: { role: 'visitor', workspace: { id: 'w1', name: 'Test Shop' }, userRoom: 'visitor-v1', contactId: 'c1', agentId: null },
    sessionReply: {
      ok: true,
      workspace: { name: 'Test Shop' },
      settings: { color: '#2563eb', position: 'right', locale: 'en', greeting: null, theme: 'auto' },
      visitorToken: 'visitor-token-1',
      visitorId: 'v1',
    },
    handlers: {
      'start-conversation': () => ({ ok: true, conversation: conversation(), created: true, others: 0, messages: [], hasMore: false }),
      'list-conversations': () => ({ ok: true, conversations: [], nextCursor: null }),
      'send-message': (p) => ({ ok: true, message: message(stored(), { clientMessageId: p.clientMessageId, text: p.text, sender: { type: 'contact', id: 'c1', name: null } }), duplicate: false }),
      // As the server answers while the assistant has the conversation: the question is stored, the answer follows as events.
      'send-ai-query': (p) => ({
        ok: true,
        queryId: `q-${p.clientQueryId}`,
        status: 'accepted',
        message: message(stored(), { clientMessageId: p.clientQueryId, text: p.text, sender: { type: 'contact', id: 'c1', name: null } }),
        duplicate: false,
      }),
      'ai-feedback': (p) => ({ ok: true, interactionId: p.interactionId, rating: p.rating, reason: p.reason ?? null, offerHandoff: p.rating === 'down' }),
      'request-handoff': () => ({ ok: true, mode: 'human', changed: true }),
      'mark-read': (p) => ({ ok: true, seq: p.seq }),
      typing: () => ({ ok: true }),
      'load-history': () => ({ ok: true, messages: [], hasMore: false }),
      'join-user-room': () => ({ ok: true, room: fake.session.userRoom }),
      'get-notifications': () => ({ ok: true, unreadCount: 0, notifications: [], hasMore: false }),
      'mark-notifications-read': (p) => ({ ok: true, ids: 'ids' in p ? p.ids : [], all: 'all' in p, unreadCount: 0 }),
    },
    async getSettings(siteKey) {
      fake.settingsRequests.push(siteKey);
      const r = fake.sessionReply;
      return r.ok ? { ok: true, workspace: r.workspace, settings: r.settings } : r;
    },
    async createSession(body) {
      fake.sessions.push(body);
      return fake.sessionReply;
    },
    connect(auth) {
      fake.auths.push(auth);
      fake.setStatus('connecting');
    },
    disconnect() {
      fake.setStatus('idle');
    },
    async request(name, payload) {
      fake.requests.push({ name, payload });
      if (fake.status !== 'connected') return { ok: false, error: { code: 'OFFLINE', message: 'Not connected' } };
      const handler = fake.handlers[name] as ((p: unknown) => unknown) | undefined;
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_EVENT', message: name } };
      return (await handler(payload)) as never;
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (p: unknown) => void);
      return () => void set.delete(listener as (p: unknown) => void);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    setStatus(status, error) {
      fake.status = status;
      for (const l of [...statusListeners]) l(status, error);
    },
    emit(name, payload) {
      for (const l of [...(listeners.get(name) ?? [])]) l(payload);
    },
    connectNow() {
      fake.setStatus('connected');
      fake.emit('session', fake.session);
    },
    sent: (name) => fake.requests.filter((r) => r.name === name).map((r) => r.payload),
  };
  return fake;
}
