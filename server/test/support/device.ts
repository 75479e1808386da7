// A customer's device as the widget behaves, for crash tests: it reconnects (to the next server in its list
// when one fails), resumes the conversation, fills every hole from the last contiguous seq it holds
// (load-history afterSeq), merges what arrives by seq, and sends from an outbox that retries each message with
// the same client id until it is acknowledged.
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { MessageDto } from '../../../protocol/chat.ts';
import type { CommandName, CommandReply, Commands } from '../../../protocol/events.ts';
import type { TestSocket } from './sockets.ts';

const REQUEST_TIMEOUT_MS = 3_000;
const RETRY_MS = 200;

export interface DeviceOptions {
  name: string;
  /** Servers to try, in order; a device moves to the next one when its server fails. */
  urls: string[];
  auth: Record<string, unknown>;
  origin: string;
}

export class Device {
  /** Everything this device shows, by seq. */
  readonly store = new Map<number, MessageDto>();
  /** What the server acknowledged to this device's sends. */
  readonly acked: MessageDto[] = [];
  conversationId: string | undefined;
  private socket: TestSocket | undefined;
  private url = 0;
  private closed = false;
  private ready!: Promise<void>;
  private markReady!: () => void;
  private isReady = true;
  private filling: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DeviceOptions) {
    this.resetReady();
  }

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  /** Sends each text in order, retrying one until it is acknowledged before the next. */
  async sendAll(texts: string[]): Promise<void> {
    for (const text of texts) {
      const clientMessageId = randomUUID();
      for (;;) {
        await this.ready;
        // No answer (the server died, the connection dropped): the same client id again once reconnected.
        const r = await this.request('send-message', { conversationId: this.conversationId, clientMessageId, text }).catch(() => null);
        if (r?.ok) {
          this.acked.push(r.message);
          this.merge([r.message]);
          break;
        }
        await sleep(r && !r.ok && r.error.retryAfterMs ? r.error.retryAfterMs : RETRY_MS);
      }
    }
  }

  /** Seqs held, in order, with the client ids they carry. */
  shown(): { seq: number; clientMessageId: string }[] {
    return [...this.store.values()].sort((a, b) => a.seq - b.seq).map((m) => ({ seq: m.seq, clientMessageId: m.clientMessageId }));
  }

  /** Senders wait on `ready` until the next session has caught up; one promise per outage. */
  private resetReady(): void {
    if (!this.isReady) return;
    this.isReady = false;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  private setReady(): void {
    this.isReady = true;
    this.markReady();
  }

  private connect(): void {
    if (this.closed) return;
    const url = this.opts.urls[this.url % this.opts.urls.length]!;
    const socket: TestSocket = io(url, {
      auth: this.opts.auth,
      transports: ['websocket'],
      extraHeaders: { origin: this.opts.origin },
      reconnection: false,
      forceNew: true,
      timeout: REQUEST_TIMEOUT_MS,
    });
    this.socket = socket;
    let failed = false;
    const fail = (moveOn: boolean) => {
      if (failed) return;
      failed = true;
      this.resetReady();
      socket.close();
      if (moveOn) this.url++;
      setTimeout(() => this.connect(), RETRY_MS);
    };
    socket.on('session', () => void this.resume().catch(() => fail(false)));
    socket.on('message-received', (m) => {
      if (m.conversationId === this.conversationId) this.merge([m]);
    });
    socket.on('disconnect', () => fail(false));
    // The server is gone (or refuses): try the next one.
    socket.on('connect_error', () => fail(true));
  }

  /** A new session: open the conversation (its newest page), then load whatever is missing. */
  private async resume(): Promise<void> {
    const started = await this.request('start-conversation', {});
    if (!started.ok) throw new Error(started.error.code);
    this.conversationId = started.conversation.id;
    this.merge(started.messages);
    await this.fill();
    this.setReady();
  }

  private merge(messages: MessageDto[]): void {
    let jumped = false;
    for (const m of messages) {
      if (m.seq > this.contiguous() + 1) jumped = true;
      this.store.set(m.seq, m);
    }
    if (jumped) void this.fill().catch(() => {});
  }

  /** The highest seq up to which nothing is missing. */
  private contiguous(): number {
    let seq = 0;
    while (this.store.has(seq + 1)) seq++;
    return seq;
  }

  /** Loads everything after the last contiguous seq, page by page; one fill at a time. */
  private fill(): Promise<void> {
    const run = this.filling.then(async () => {
      for (;;) {
        const page = await this.request('load-history', { conversationId: this.conversationId, afterSeq: this.contiguous(), limit: 100 });
        if (!page.ok) throw new Error(page.error.code);
        for (const m of page.messages) this.store.set(m.seq, m);
        if (!page.hasMore) return;
      }
    });
    this.filling = run.catch(() => {});
    return run;
  }

  private request<K extends CommandName>(name: K, payload: Commands[K]['payload'] | Record<string, unknown>): Promise<CommandReply<K>> {
    const socket = this.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<CommandReply<K>> } };
    return socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
