// A fake OpenAI-compatible chat-completions endpoint: a real local HTTP server (port 0) that streams SSE the
// way the API does, tool_calls deltas included. Tests script each response; nothing calls the internet.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  body: any;
  headers: IncomingMessage['headers'];
  /** Resolves when the client closed the connection (or the response ended). */
  closed: Promise<void>;
}
export type Handler = (req: SeenRequest, res: ServerResponse, n: number) => void | Promise<void>;

export const KEY = `sk-test-${randomUUID()}`;
export const MODEL = 'fake-1';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fakeModel() {
  const requests: SeenRequest[] = [];
  let handler: Handler = (_req, res) => void res.writeHead(404).end();
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const seen: SeenRequest = { body: JSON.parse(raw || '{}'), headers: req.headers, closed };
    requests.push(seen);
    await handler(seen, res, requests.length);
  });
  return {
    requests,
    set handle(h: Handler) {
      handler = h;
      requests.length = 0;
    },
    url: '',
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SSE response in the chat-completions streaming format. */
export function sse(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const id = `chatcmpl-${randomUUID().slice(0, 8)}`;
  const send = (delta: object, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  return {
    role: () => send({ role: 'assistant', content: '' }),
    content: (text: string) => send({ content: text }),
    toolCall: (index: number, part: { id?: string; name?: string; args?: string }) =>
      send({
        tool_calls: [{ index, ...(part.id && { id: part.id, type: 'function' }), function: { ...(part.name && { name: part.name }), arguments: part.args ?? '' } }],
      }),
    finish: (reason: string) => send({}, reason),
    done: () => res.end('data: [DONE]\n\n'),
  };
}

/** Streams `text` in pieces of `size` characters, `gapMs` apart, then stop and [DONE]. */
export async function streamText(res: ServerResponse, text: string, size = 3, gapMs = 4) {
  const s = sse(res);
  s.role();
  for (let i = 0; i < text.length; i += size) {
    s.content(text.slice(i, i + size));
    if (gapMs) await sleep(gapMs);
  }
  s.finish('stop');
  s.done();
}

