// The handoff across two instances on one PostgreSQL and Redis: the answer is being composed on the instance
// the customer is connected to, the agent's reply lands on the other. The mode's compare-and-set is in the
// database and the stop travels on the invalidation bus, so the composing instance stops and stores nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AnswerChunk, AnswerInput, Answerer, AssistantAnswer } from '../services/assistant/answerer.ts';
import { agentToken, json, seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { connectSocket, nextEvent, quietPeriod, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';

/** The embedded answer streamed slowly, word by word, as a model would. */
class SlowAnswerer implements Answerer {
  readonly name = 'slow-test';
  constructor(
    private readonly inner: Answerer,
    private readonly stepMs: number,
  ) {}
  async *answer(input: AnswerInput, signal?: AbortSignal): AsyncGenerator<AnswerChunk> {
    const whole = await (this.inner.answer(input, signal) as Promise<AssistantAnswer>);
    for (const word of whole.text.split(/(?<= )/)) {
      await new Promise((r) => setTimeout(r, this.stepMs));
      if (signal?.aborted) return;
      yield { type: 'delta', text: word };
    }
    yield { type: 'final', answer: whole };
  }
}

needs('postgres', 'redis').describe('handoff across two instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startTestApp({ REDIS_URL: process.env.REDIS_URL }, { database });
    b = await startTestApp({ REDIS_URL: process.env.REDIS_URL }, { database });
  }, 60_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('an agent reply on instance B stops the answer instance A is streaming: no final, nothing stored, the stream ends', async () => {
    const seeded = await seedWorkspace(a, [ORIGIN]);
    const engine = a.app.services.assistant.currentAnswerer;
    // Slow enough (seconds) for the reply on B to land mid-stream even on a busy machine.
    a.app.services.assistant.useAnswerer(new SlowAnswerer(engine, 200));
    const { socket } = await connectSocket(a.url, { auth: { siteKey: seeded.workspace.siteKey, visitorToken: await visitorToken(a, seeded.workspace.siteKey, ORIGIN) }, origin: ORIGIN });
    open.push(socket);
    const conversationId = (await startConversation(socket)).conversation.id;
    const token = await agentToken(b, seeded.workspace.siteKey, seeded.agent.email, seeded.password);

    const events: { at: number; what: string }[] = [];
    socket.on('ai-response', (e) => events.push({ at: performance.now(), what: `ai:${e.type}` }));
    socket.on('handoff', (e) => events.push({ at: performance.now(), what: `handoff:${e.mode}` }));
    // Generous: the first question of a process builds the search index.
    const streaming = nextEvent(socket, 'ai-response', (e) => e.type === 'delta', 20_000);
    const ack = await request(socket, 'send-ai-query', { conversationId, clientQueryId: randomUUID(), text: 'how do refunds work and how long do they take' });
    expect(ack).toMatchObject({ ok: true, status: 'accepted' });
    await streaming;

    const handedOff = nextEvent(socket, 'handoff');
    const res = await fetch(`${b.url}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hi, I am taking this one.' }),
    });
    expect(res.status).toBe(201);
    expect(await handedOff).toMatchObject({ mode: 'human', reason: 'agent-replied' });
    const handoffAt = performance.now();
    await quietPeriod(1_500);

    expect(events.map((e) => e.what)).not.toContain('ai:final');
    // Deltas already on their way may cross the handoff event (one Redis hop each way), none long after.
    expect(events.filter((e) => e.what.startsWith('ai:') && e.at > handoffAt + 250)).toEqual([]);
    const stored = (await json(await fetch(`${b.url}/api/v1/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${token}` } }))).messages as { kind: string; sender: { type: string } }[];
    expect(stored.map((m) => `${m.sender.type}:${m.kind}`)).toEqual(['contact:text', 'system:system', 'agent:text']);
  });
});
