// A customer's device as the widget behaves, for crash tests: it reconnects (to the next server in its list
// when one fails), resumes the conversation it shows, and keeps what it shows with the widget's own state
// functions (widget/state/chat.ts): the resumed page merged in, every hole between messages it holds filled
// (load-history afterSeq/beforeSeq, after a reconnect and whenever an arriving seq jumps), and an outbox that
// retries each message with the same client id until it is acknowledged. Only the socket plumbing is its own.
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { MessageDto } from '../../../protocol/chat.ts';
import { firstGap, initialChatState, mergeMessages, setConversation, type ChatState } from '../../../widget/state/chat.ts';
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
  /** What this device shows: the widget's chat state. */
  private state: ChatState = initialChatState();
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

  /** Seqs held, in the order shown, with the client ids they carry. */
  shown(): { seq: number; clientMessageId: string }[] {
    return this.state.messages.filter((m) => m.seq !== null).map((m) => ({ seq: m.seq!, clientMessageId: m.clientMessageId }));
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
    // As the widget: whatever arrives is merged (mergeMessages keeps to the conversation shown, once there is one).
    socket.on('message-received', (m) => this.merge([m]));
    socket.on('disconnect', () => fail(false));
    // The server is gone (or refuses): try the next one.
    socket.on('connect_error', () => fail(true));
  }

  /** A new session: reopen the conversation shown (its newest page, as the widget does), then fill the holes. */
  private async resume(): Promise<void> {
    const shown = this.state.conversation;
    const started = await this.request('start-conversation', shown && shown.lastSeq > 0 ? { conversationId: shown.id } : {});
    if (!started.ok) throw new Error(started.error.code);
    this.conversationId = started.conversation.id;
    this.state = setConversation(this.state, started.conversation, started);
    await this.fill();
    this.setReady();
  }

  private merge(messages: MessageDto[]): void {
    this.state = mergeMessages(this.state, messages);
    if (firstGap(this.state)) void this.fill().catch(() => {});
  }

  /** Loads what is missing between the messages held, hole by hole (the widget's fillGaps); one fill at a time. */
  private fill(): Promise<void> {
    const run = this.filling.then(async () => {
      for (let gap = firstGap(this.state); gap; gap = firstGap(this.state)) {
        const page = await this.request('load-history', { conversationId: this.conversationId, ...gap, limit: 100 });
        if (!page.ok) throw new Error(page.error.code);
        if (page.messages.length === 0) return;
        this.state = mergeMessages(this.state, page.messages);
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
