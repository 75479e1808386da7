// The assistant inside conversations: questions stored as the customer's messages and answered with
// `ai-response` events, answers stored as `answer` messages, votes, and the mode (assistant or people) that
// decides who answers. Transport-free: it reaches clients through the Publisher only.
//
// Handoff never breaks: the mode changes by compare-and-set in the database; the answer is stored only while
// the mode is still `ai` (same statement); answers being composed for the conversation are aborted on every
// instance (the invalidation bus); and the switch, the stored answers and the events about them are ordered
// by the conversation's send queue, so nothing of the assistant is published after the handoff event.
import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../../protocol/errors.ts';
import type {
  AiFeedbackReply,
  AnswerPayload,
  AssistantLanguage,
  ConversationMode,
  FeedbackRating,
  ModeChangePayload,
  ModeChangeReason,
  RequestHandoffReply,
  SendAiQueryReply,
} from '../../../protocol/assistant-values.ts';
import { replyTimeWording } from '../../../protocol/assistant-values.ts';
import type { MessageDto } from '../../../protocol/chat.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError, toErrorBody } from '../../errors.ts';
import type { ChatService, StoredConversation } from '../chat/chat.service.ts';
import { derivedId } from '../ids.ts';
import type { InvalidationBus } from '../invalidation.ts';
import type { Principal } from '../principal.ts';
import type { Publisher } from '../publisher.ts';
import { rooms } from '../rooms.ts';
import { toAnswerDto, type AnswerInput, type AssistantAnswer, type RecentOutcome } from './answerer.ts';
import type { AssistantService } from './assistant.service.ts';
import type { InteractionRecord } from './interactions.ts';
import type { ReplyTime } from './reply-time.ts';

export interface AssistantChatDeps {
  prisma: PrismaClient;
  chat: ChatService;
  assistant: AssistantService;
  publisher: Publisher;
  invalidation: InvalidationBus;
  /** When the team usually replies (reply-time.ts), told to customers when no one of the team is online. */
  replyTime: (workspaceId: string) => Promise<ReplyTime | undefined>;
  /** An answer failed after its ack (the customer gets an `error` event); for the log. */
  onError?: (err: unknown, context: { conversationId: string; queryId: string }) => void;
  /** Deltas are gathered this long before one `ai-response` delta goes out (not one event per token). */
  deltaBatchMs?: number;
}

export interface AskQuery {
  conversationId: string;
  clientQueryId: string;
  text: string;
  locale?: string;
  timeZone?: string;
}

interface Running {
  conversationId: string;
  controller: AbortController;
  done: Promise<void>;
}

const DELTA_BATCH_MS = 50;
/** Outcomes of the episode read with each question (the two-misses rule needs the last two). */
const RECENT_OUTCOMES = 5;

interface Episode {
  mode: ConversationMode;
  episodeStartedAt: Date;
  recent: RecentOutcome[];
}

export class AssistantChat {
  /** Answers being composed on this instance, by query id. */
  private readonly running = new Map<string, Running>();
  private readonly deltaBatchMs: number;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: AssistantChatDeps) {
    this.deltaBatchMs = deps.deltaBatchMs ?? DELTA_BATCH_MS;
    // Another instance switched a conversation to a person: stop what is being composed for it here.
    this.unsubscribe = deps.invalidation.subscribe((event) => {
      if (event.type === 'assistant-stop') this.stopAnswers(event.conversationId);
    });
  }

  /**
   * `send-ai-query`: store the question as the customer's message, then answer it in the background (the
   * ack goes out first). Idempotent on clientQueryId: a retry gets the same query id, and the answer is
   * composed at most once per instance and stored at most once anywhere (its client id derives from the
   * query id); a retry after the answer was stored gets the stored answer published again. `join` puts the
   * asking device in the conversation's room once membership is checked; `from`, the asking connection, does
   * not get its own question back (the ack carries it), its other tabs and the agents do.
   */
  async ask(p: Principal, q: AskQuery, join: (conversationId: string) => Promise<void> = async () => {}, from?: string): Promise<SendAiQueryReply> {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Agents reply to customers; the assistant answers customers.');
    const queryId = derivedId('ai-query', q.conversationId, q.clientQueryId);
    const conversation = await this.deps.chat.conversationFor(p, q.conversationId);
    // The answer goes to the conversation's room: the asking device is in it before anything is said there.
    await join(conversation.id);
    const { message, duplicate } = await this.deps.chat.send(p, q.conversationId, { clientMessageId: q.clientQueryId, text: q.text, ...(from && { from }) });
    // Read after the question is stored: a resolved conversation it reopened is back with the assistant.
    const state = await this.stateWithRecent(q.conversationId);
    if (state.mode === 'human') return { queryId, status: 'human', message, duplicate };
    if (duplicate && (this.running.has(queryId) || (await this.republishStored(conversation, queryId)))) {
      return { queryId, status: 'accepted', message, duplicate };
    }
    this.start(p, conversation, queryId, q, state);
    return { queryId, status: 'accepted', message, duplicate };
  }

  /** `request-handoff`: the customer pressed "Talk to a person". */
  async requestHandoff(p: Principal, conversationId: string): Promise<RequestHandoffReply> {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Agents take conversations over from the agent API.');
    const conversation = await this.deps.chat.conversationFor(p, conversationId);
    const changed = await this.deps.chat.inOrder(conversationId, () => this.switchToHuman(conversation, 'offer-accepted', null));
    if (changed) await this.recordButtonHandoff(conversation);
    return { mode: 'human', changed };
  }

  /** An agent takes the conversation over from the assistant (the console's "Take over"). */
  async takeOver(agent: Principal & { kind: 'agent' }, conversationId: string): Promise<{ mode: ConversationMode; changed: boolean }> {
    const conversation = await this.deps.chat.conversationFor(agent, conversationId);
    const changed = await this.deps.chat.inOrder(conversationId, () => this.switchToHuman(conversation, 'agent-took-over', agent));
    return { mode: 'human', changed };
  }

  /** An agent hands the conversation back: a fresh assistant episode (it does not read the one before). */
  async returnToAssistant(agent: Principal & { kind: 'agent' }, conversationId: string): Promise<{ mode: ConversationMode; changed: boolean }> {
    const conversation = await this.deps.chat.conversationFor(agent, conversationId);
    const changed = await this.deps.chat.inOrder(conversationId, async () => {
      const n = await this.deps.prisma.$executeRaw`
        UPDATE "Conversation" SET "mode" = 'ai', "aiEpisodeStartedAt" = now(), "updatedAt" = now(), "waitingSince" = NULL
         WHERE "id" = ${conversationId}::uuid AND "mode" = 'human'`;
      if (!n) return false;
      await this.announce(conversation, { event: 'mode', mode: 'ai', reason: 'returned', agentsOnline: null, agentName: agent.name }, agent);
      return true;
    });
    return { mode: 'ai', changed };
  }

  /** ChatService's hook: an agent's reply in assistant mode takes the conversation over first. */
  async beforeAgentMessage(conversation: StoredConversation, agent: Principal & { kind: 'agent' }): Promise<void> {
    await this.switchToHuman(conversation, 'agent-replied', agent);
  }

  /** ChatService's hook: a customer reopened a resolved conversation (it is with the assistant again). */
  onReopened(conversation: StoredConversation): void {
    this.publishMode(conversation, 'ai', 'reopened', null, null);
  }

  /** `ai-feedback`: a vote on one of the answers in a conversation of yours; voting again changes it. */
  async feedback(p: Principal, vote: { interactionId: string; rating: FeedbackRating; reason?: string | undefined }): Promise<AiFeedbackReply> {
    const row = await this.deps.prisma.aiInteraction.findFirst({
      where: { id: vote.interactionId, workspaceId: p.workspaceId, conversationId: { not: null } },
      select: { conversationId: true },
    });
    if (!row?.conversationId) throw new AppError('NOT_FOUND', 'No such answer to vote on.');
    await this.deps.chat.conversationFor(p, row.conversationId);
    const recorded = await this.deps.assistant.feedback(p.workspaceId, vote.interactionId, {
      rating: vote.rating,
      reason: vote.reason ?? null,
      conversationId: row.conversationId,
    });
    const { mode } = await this.state(row.conversationId);
    return { interactionId: recorded.id, rating: vote.rating, reason: recorded.feedbackReason ?? null, offerHandoff: vote.rating === 'down' && mode === 'ai' };
  }

  /** Waits (up to `ms`) for answers being composed here; on shutdown, after new commands are refused. */
  async drain(ms: number): Promise<boolean> {
    const all = Promise.all([...this.running.values()].map((r) => r.done)).then(() => true);
    return Promise.race([all, new Promise<boolean>((resolve) => setTimeout(resolve, ms, false).unref())]);
  }

  close(): void {
    this.unsubscribe();
    for (const r of this.running.values()) r.controller.abort();
  }

  // ---------------------------------------------------------------------------------------------------

  private async state(conversationId: string) {
    const state = await this.deps.prisma.conversation.findUnique({
      where: { id: conversationId },
      select: { mode: true, aiEpisodeStartedAt: true },
    });
    if (!state) throw new AppError('FORBIDDEN', 'You are not a member of this conversation.');
    return state;
  }

  /**
   * The mode, the current episode's start and its latest outcomes (the two-misses rule reads them) in one
   * statement: a question costs one round trip less than reading them one after the other.
   */
  private async stateWithRecent(conversationId: string): Promise<Episode> {
    const [row] = await this.deps.prisma.$queryRaw<{ mode: ConversationMode; aiEpisodeStartedAt: Date; recent: RecentOutcome[] }[]>`
      SELECT c."mode", c."aiEpisodeStartedAt",
             COALESCE((SELECT json_agg(json_build_object('route', r."route", 'feedback', r."feedback") ORDER BY r."createdAt", r."id")
                         FROM (SELECT a."route", a."feedback", a."createdAt", a."id" FROM "AiInteraction" a
                                WHERE a."conversationId" = c."id" AND a."createdAt" >= c."aiEpisodeStartedAt"
                                ORDER BY a."createdAt" DESC, a."id" DESC LIMIT ${RECENT_OUTCOMES}) r), '[]'::json) AS "recent"
        FROM "Conversation" c WHERE c."id" = ${conversationId}::uuid`;
    if (!row) throw new AppError('FORBIDDEN', 'You are not a member of this conversation.');
    return { mode: row.mode, episodeStartedAt: row.aiEpisodeStartedAt, recent: row.recent };
  }

  private start(p: Principal, conversation: StoredConversation, queryId: string, q: AskQuery, episode: Episode): void {
    const controller = new AbortController();
    const running: Running = { conversationId: conversation.id, controller, done: Promise.resolve() };
    this.running.set(queryId, running);
    running.done = this.answer(p, conversation, queryId, q, episode, controller.signal)
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        this.emit(conversation.id, { conversationId: conversation.id, queryId, type: 'error', error: publicError(err) });
        this.deps.onError?.(err, { conversationId: conversation.id, queryId });
      })
      .finally(() => this.running.delete(queryId));
  }

  private async answer(p: Principal, conversation: StoredConversation, queryId: string, q: AskQuery, episode: Episode, signal: AbortSignal) {
    // After the ack: the transport resolves the command first, then this runs.
    await new Promise((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
    const conversationId = conversation.id;
    this.emit(conversationId, { conversationId, queryId, type: 'start' });

    let pending = '';
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!pending || signal.aborted) return;
      this.emit(conversationId, { conversationId, queryId, type: 'delta', text: pending });
      pending = '';
    };

    let answer: AssistantAnswer | null = null;
    let interaction: InteractionRecord | null = null;
    try {
      for await (const chunk of this.deps.assistant.askStream(this.input(p, conversation, queryId, q, episode), signal)) {
        if (signal.aborted) return;
        if (chunk.type === 'delta') {
          pending += chunk.text;
          timer ??= setTimeout(flush, this.deltaBatchMs);
        } else if (chunk.type === 'final') answer = chunk.answer;
        else interaction = chunk.interaction;
      }
    } finally {
      flush();
    }
    if (signal.aborted || !answer || !interaction) return;
    const done = answer;
    const interactionId = interaction.id;

    await this.deps.chat.inOrder(conversationId, async () => {
      if (signal.aborted) return;
      const dto = toAnswerDto(done);
      const { text, ...rest } = dto;
      const payload: AnswerPayload = { queryId, interactionId, answer: rest };
      const stored = await this.deps.chat.postAsAssistant(conversation, {
        clientMessageId: answerClientId(queryId),
        kind: 'answer',
        text,
        payload: payload as unknown as Record<string, unknown>,
      });
      // Lost the race to a handoff: stored nowhere, and nothing more is said.
      if (!stored || signal.aborted) return;
      this.emitFinal(conversationId, queryId, interactionId, stored.message, dto);
      if (done.handoff) await this.switchToHuman(conversation, 'customer-asked', null);
    });
  }

  private input(p: Principal, conversation: StoredConversation, queryId: string, q: AskQuery, episode: Episode) {
    const principal: AnswerInput['principal'] =
      p.kind === 'customer'
        ? { kind: 'customer', externalId: p.externalId, workspaceId: p.workspaceId, name: conversation.contact.name }
        : { kind: 'visitor', workspaceId: p.workspaceId };
    return {
      workspaceId: p.workspaceId,
      principal,
      text: q.text,
      locale: languageOf(q.locale),
      ...(q.timeZone && { timeZone: q.timeZone }),
      queryId,
      conversationId: conversation.id,
      episodeStartedAt: episode.episodeStartedAt,
      context: { recent: episode.recent },
    };
  }

  /** A retried query whose answer is stored: publish it again (the retrying device missed it). */
  private async republishStored(conversation: StoredConversation, queryId: string): Promise<boolean> {
    const page = await this.deps.chat.storedMessage(conversation, answerClientId(queryId));
    if (!page) return false;
    const payload = page.payload as unknown as AnswerPayload | null;
    if (!payload?.answer) return false;
    this.emitFinal(conversation.id, queryId, payload.interactionId, page, { ...payload.answer, text: page.text });
    return true;
  }

  private emitFinal(conversationId: string, queryId: string, interactionId: string, message: MessageDto, answer: ReturnType<typeof toAnswerDto>) {
    this.emit(conversationId, { conversationId, queryId, type: 'final', interactionId, text: answer.text, answer, message });
  }

  private emit(conversationId: string, event: Parameters<Publisher['publish']>[2] & { queryId: string }) {
    this.deps.publisher.publish([rooms.conversation(conversationId)], 'ai-response', event as never);
  }

  /**
   * Compare-and-set ai → human; on success the assistant stops everywhere and the switch is announced. Call in
   * the conversation's send order (inOrder, or ChatService's agent hook, which runs there).
   */
  private async switchToHuman(conversation: StoredConversation, reason: ModeChangeReason, agent: (Principal & { kind: 'agent' }) | null): Promise<boolean> {
    const n = await this.deps.prisma.$executeRaw`
      UPDATE "Conversation" SET "mode" = 'human', "handoffAt" = now(), "handoffReason" = ${reason}, "updatedAt" = now(),
             -- Handed to the team by the customer: they wait for a person from now on (the console's "needs reply").
             "waitingSince" = CASE WHEN ${agent === null} THEN COALESCE("waitingSince", now()) ELSE "waitingSince" END
       WHERE "id" = ${conversation.id}::uuid AND "mode" = 'ai'`;
    if (!n) return false;
    this.stopAnswers(conversation.id);
    void this.deps.invalidation.publish({ type: 'assistant-stop', conversationId: conversation.id });
    let agentsOnline: boolean | null = true;
    let replyTime: ReplyTime | undefined;
    if (!agent) {
      agentsOnline = await this.deps.publisher.occupied(rooms.agents(conversation.workspaceId)).catch(() => null);
      if (agentsOnline === false) replyTime = await this.deps.replyTime(conversation.workspaceId).catch(() => undefined);
    }
    await this.announce(
      conversation,
      {
        event: 'mode',
        mode: 'human',
        reason,
        agentsOnline,
        ...(replyTime?.text && { replyTime: replyTime.text }),
        ...(replyTime?.typicalMinutes && { typicalReplyMinutes: replyTime.typicalMinutes }),
        ...(agent && { agentName: agent.name }),
      },
      agent,
    );
    return true;
  }

  /** The visible system line, then the `handoff` event (to the conversation and the workspace's agents). */
  private async announce(conversation: StoredConversation, payload: ModeChangePayload, agent: (Principal & { kind: 'agent' }) | null) {
    await this.deps.chat.postSystem(conversation, {
      clientMessageId: `mode-${randomUUID()}`,
      text: modeLine(payload),
      payload: payload as unknown as Record<string, unknown>,
    });
    this.publishMode(conversation, payload.mode, payload.reason, agent, payload.agentsOnline);
  }

  private publishMode(conversation: StoredConversation, mode: ConversationMode, reason: ModeChangeReason, agent: (Principal & { kind: 'agent' }) | null, agentsOnline: boolean | null) {
    this.deps.publisher.publish([rooms.conversation(conversation.id), rooms.agents(conversation.workspaceId)], 'handoff', {
      conversationId: conversation.id,
      mode,
      reason,
      by: agent ? { type: 'agent', id: agent.agentId, name: agent.name } : null,
      agentsOnline,
      at: new Date().toISOString(),
    });
  }

  private stopAnswers(conversationId: string): void {
    for (const r of this.running.values()) if (r.conversationId === conversationId) r.controller.abort();
  }

  /** "Talk to a person" pressed: an interaction too, so the report's handoff rate counts it. */
  private async recordButtonHandoff(conversation: StoredConversation): Promise<void> {
    await this.deps.assistant.interactions.record({
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      queryId: `handoff-${randomUUID()}`,
      question: '(Talk to a person)',
      answer: modeLine({ event: 'mode', mode: 'human', reason: 'offer-accepted', agentsOnline: null }),
      language: 'en',
      route: 'handoff',
      articles: [],
      paymentTools: [],
      paymentIds: [],
      confidence: 1,
      engine: 'button',
      latencyMs: 0,
    });
  }
}

/** The English line stored with a mode change (agents read it; the widget shows its own language's). */
export function modeLine(p: ModeChangePayload): string {
  if (p.mode === 'ai') return p.reason === 'returned' ? 'The assistant is back in this conversation.' : 'The assistant is back.';
  if (p.agentName) return `${p.agentName} joined the conversation.`;
  if (p.agentsOnline === false) {
    const when = p.replyTime ? p.replyTime.replace(/\.$/, '') : p.typicalReplyMinutes ? typicalReplyEnglish(p.typicalReplyMinutes) : null;
    return `You're in line for our team. No one is online right now${when ? ` (${when})` : ''}: we'll answer right here, so you can close this window and come back.`;
  }
  return 'You’re now talking with our team. Someone will be with you shortly.';
}

function typicalReplyEnglish(minutes: number): string {
  const { key, n } = replyTimeWording(minutes);
  if (key === 'minutes') return `the team typically replies in under ${n} minutes`;
  if (key === 'hour') return 'the team typically replies in under an hour';
  return `the team typically replies in about ${n} ${key === 'hours' ? 'hours' : n === 1 ? 'day' : 'days'}`;
}

function languageOf(locale: string | undefined): AssistantLanguage {
  return locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

const answerClientId = (queryId: string) => `ai-${queryId}`;

/** What the customer is told when an answer fails: the code, never internals. */
function publicError(err: unknown): ErrorBody {
  const body = toErrorBody(err);
  return body.code === 'INTERNAL' ? { code: 'INTERNAL', message: 'The assistant could not answer; try again, or ask for a person.' } : body;
}
