// The optional LLM through the real entry point: the app configured with VERYCHAT_API_* like in production,
// a fake OpenAI-compatible server streaming SSE, a real socket client asking with send-ai-query. The model's
// text reaches the widget as batched deltas and a final answer; when the model fails, the embedded answer
// replaces it and the interaction says why.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AiResponseEvent } from '../../protocol/assistant-values.ts';
import { fakeModel, KEY, MODEL, streamText } from './support/fake-llm.ts';
import { seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { collect, connectSocket, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
const fake = fakeModel();
let t: TestApp;
const open: TestSocket[] = [];

beforeAll(async () => {
  await fake.start();
  t = await startTestApp({ VERYCHAT_API_URL: fake.url, VERYCHAT_API_KEY: KEY, VERYCHAT_MODEL: MODEL, VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS: '1000', VERYCHAT_API_TIMEOUT_MS: '3000' });
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
  await fake.close();
});

async function ask(text: string) {
  const seeded = await seedWorkspace(t, [ORIGIN]);
  const { socket } = await connectSocket(t.url, { auth: { siteKey: seeded.workspace.siteKey, visitorToken: await visitorToken(t, seeded.workspace.siteKey, ORIGIN) }, origin: ORIGIN });
  open.push(socket);
  const conversationId = (await startConversation(socket)).conversation.id;
  const events = collect(socket, 'ai-response');
  const ack = await request(socket, 'send-ai-query', { conversationId, clientQueryId: randomUUID(), text });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  const isEnd = (e: AiResponseEvent) => e.type === 'final' || e.type === 'error';
  await expect.poll(() => events.items.some(isEnd), { timeout: 8_000 }).toBe(true);
  events.stop();
  const final = events.items.find(isEnd)!;
  if (final.type !== 'final') throw new Error(JSON.stringify(final));
  const interaction = await t.db.prisma.aiInteraction.findUniqueOrThrow({ where: { id: final.interactionId } });
  return { events: events.items, final, interaction };
}

describe('the LLM through send-ai-query', () => {
  it('streams the model’s answer as batched deltas, then the final answer, recorded as llm:<model>', async () => {
    const text = 'Refunds usually reach your wallet within 5 business days after the merchant approves them. You can follow the refund in your payment history.';
    fake.handle = (_req, res) => streamText(res, text, 2, 3);
    const { events, final, interaction } = await ask('how long do refunds take');
    const deltas = events.filter((e) => e.type === 'delta');
    expect(events[0]!.type).toBe('start');
    // Batched: far fewer events than the ~70 pieces the model sent, and together exactly its text.
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(20);
    expect(deltas.map((d) => (d.type === 'delta' ? d.text : '')).join('')).toBe(text);
    expect(final.text).toBe(text);
    expect(final.message).toMatchObject({ kind: 'answer', text });
    expect(final.answer.sources.articles.length).toBeGreaterThan(0);
    expect([interaction.engine, interaction.fallbackReason]).toEqual([`llm:${MODEL}`, null]);
    // The key went to the model in the header, and nowhere in the logs.
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(t.logs.join('\n')).not.toContain(KEY);
  });

  it('falls back to the embedded answer when the model fails (HTTP 500, no retry), and says why', async () => {
    fake.handle = (_req, res) => void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
    const { final, interaction } = await ask('how long do refunds take');
    expect(fake.requests).toHaveLength(1);
    expect(final.answer.route).toBe('faq');
    expect(final.text).toMatch(/5 business days/);
    expect([interaction.engine, interaction.fallbackReason]).toEqual(['embedded', 'error']);
  });

  it('falls back when the model quotes a figure nobody gave it: the invented amount never reaches the customer', async () => {
    fake.handle = (_req, res) => streamText(res, 'Your refund of 1234.56 VRC arrives tomorrow.', 4, 2);
    const { events, final, interaction } = await ask('how long do refunds take');
    const shown = events.map((e) => (e.type === 'delta' ? e.text : e.type === 'final' ? e.text : '')).join('');
    expect(shown).not.toContain('1234.56');
    expect(final.text).toMatch(/5 business days/);
    expect(interaction.fallbackReason).toBe('unverified-figure');
  });
});
