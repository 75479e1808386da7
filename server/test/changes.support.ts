// Changes made through the services reach every instance's caches and open sockets at once. The same
// scenarios run on one in-process instance (changes.test.ts) and on two server processes behind Redis,
// changed from a third process as the admin CLI would (cluster-changes.test.ts).
import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import type { ServerEvents } from '../../protocol/events.ts';
import { signPaymentEvent } from '../sdk/index.ts';
import type { Services } from '../services/index.ts';
import { SIGNATURE_HEADER, SITE_KEY_HEADER } from '../../protocol/values.ts';
import { paymentEvent } from './payments.support.ts';
import { agentToken, identityToken, visitorToken } from './support/app.ts';
import { connectSocket, handshakeError, nextEvent, request, type TestSocket } from './support/sockets.ts';

export interface Cluster {
  /** Makes the changes (another instance, or the admin CLI's services). */
  admin: Pick<Services, 'workspaces' | 'agents'>;
  /** Two instances (the same one twice when there is one). */
  a: string;
  b: string;
  /** Sockets to close after the test. */
  open: TestSocket[];
}

const O1 = 'https://one.example';
const O2 = 'https://two.example';
/** Well under the caches' lifetime with a shared bus (60 s): only an invalidation explains a change seen sooner. */
const AT_ONCE = { timeout: 15_000, interval: 50 };

async function workspace(c: Cluster) {
  const ws = await c.admin.workspaces.create({ name: `Changes ${randomUUID().slice(0, 6)}`, allowedOrigins: [O1, O2] });
  const password = 'correct horse battery staple';
  const { agent } = await c.admin.agents.create(ws.id, { email: `agent-${randomUUID().slice(0, 6)}@shop.example`, name: 'Ana', password });
  return { ws, agent, password };
}

const settingsStatus = (url: string, siteKey: string, origin: string) =>
  fetch(`${url}/api/v1/widget/settings?siteKey=${siteKey}`, { headers: { origin } }).then((r) => r.status);

const visitorTokenAt = (url: string, siteKey: string, origin: string) => visitorToken({ url }, siteKey, origin);

async function connect(c: Cluster, url: string, auth: Record<string, unknown>, origin?: string) {
  const s = await connectSocket(url, { auth, ...(origin && { origin }) });
  c.open.push(s.socket);
  return s;
}

/** Resolves with the reason the server gave for closing the socket. */
const endedOf = (socket: TestSocket): Promise<ServerEvents['session-ended']> => nextEvent(socket, 'session-ended', () => true, 20_000);

async function customerHandshake(url: string, siteKey: string, secret: string) {
  const token = await identityToken(secret, 'rotating');
  return (await handshakeError(url, { auth: { siteKey, identityToken: token }, origin: O1 })).code;
}

async function paymentStatus(url: string, siteKey: string, secret: string) {
  const raw = JSON.stringify(paymentEvent());
  const res = await fetch(`${url}/api/v1/payments/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SITE_KEY_HEADER]: siteKey, [SIGNATURE_HEADER]: signPaymentEvent(secret, raw) },
    body: raw,
  });
  return res.status;
}

export async function removingAnOrigin(c: Cluster): Promise<void> {
  const { ws } = await workspace(c);
  // Both instances have the workspace cached, and a page on the origin is connected to B.
  expect([await settingsStatus(c.a, ws.siteKey, O2), await settingsStatus(c.b, ws.siteKey, O2)]).toEqual([200, 200]);
  const page = await connect(c, c.b, { siteKey: ws.siteKey, visitorToken: await visitorTokenAt(c.a, ws.siteKey, O2) }, O2);
  const ended = endedOf(page.socket);

  await c.admin.workspaces.removeOrigin(ws.siteKey, O2);
  await vi.waitFor(async () => expect([await settingsStatus(c.a, ws.siteKey, O2), await settingsStatus(c.b, ws.siteKey, O2)]).toEqual([403, 403]), AT_ONCE);
  expect(await ended).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
  expect([await settingsStatus(c.a, ws.siteKey, O1), await settingsStatus(c.b, ws.siteKey, O1)]).toEqual([200, 200]);
}

export async function rotatingTheSecret(c: Cluster): Promise<void> {
  const { ws } = await workspace(c);
  const old = ws.secret;
  for (const url of [c.a, c.b]) {
    expect(await customerHandshake(url, ws.siteKey, old)).toBe('CONNECTED');
    expect(await paymentStatus(url, ws.siteKey, old)).toBe(201);
  }

  const { secret: next } = await c.admin.workspaces.rotateSecret(ws.siteKey);
  // Everywhere at once the new secret works, and the old one still does (the grace period).
  await vi.waitFor(async () => {
    for (const url of [c.a, c.b]) expect(await customerHandshake(url, ws.siteKey, next)).toBe('CONNECTED');
  }, AT_ONCE);
  for (const url of [c.a, c.b]) {
    expect(await paymentStatus(url, ws.siteKey, next)).toBe(201);
    expect(await customerHandshake(url, ws.siteKey, old)).toBe('CONNECTED');
    expect(await paymentStatus(url, ws.siteKey, old)).toBe(201);
  }

  await c.admin.workspaces.endSecretRotation(ws.siteKey);
  await vi.waitFor(async () => {
    for (const url of [c.a, c.b]) expect(await customerHandshake(url, ws.siteKey, old)).toBe('AUTH_INVALID');
  }, AT_ONCE);
  for (const url of [c.a, c.b]) {
    expect(await paymentStatus(url, ws.siteKey, old)).toBe(401);
    expect(await customerHandshake(url, ws.siteKey, next)).toBe('CONNECTED');
  }
}

export async function removingAnAgent(c: Cluster): Promise<void> {
  const { ws, agent, password } = await workspace(c);
  const token = await agentToken({ url: c.a }, ws.siteKey, agent.email, password);
  const console = await connect(c, c.b, { siteKey: ws.siteKey, agentToken: token });
  const ended = endedOf(console.socket);

  await c.admin.agents.remove(ws.id, agent.email);
  expect(await ended).toMatchObject({ code: 'AUTH_INVALID' });
  for (const url of [c.a, c.b]) {
    expect((await fetch(`${url}/api/v1/agent/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  }
}

export async function deletingAWorkspace(c: Cluster): Promise<void> {
  const { ws, agent, password } = await workspace(c);
  const token = await agentToken({ url: c.b }, ws.siteKey, agent.email, password);
  const page = await connect(c, c.a, { siteKey: ws.siteKey, visitorToken: await visitorTokenAt(c.a, ws.siteKey, O1) }, O1);
  const console = await connect(c, c.b, { siteKey: ws.siteKey, agentToken: token });
  const ended = [endedOf(page.socket), endedOf(console.socket)];
  expect([await settingsStatus(c.a, ws.siteKey, O1), await settingsStatus(c.b, ws.siteKey, O1)]).toEqual([200, 200]);

  await c.admin.workspaces.delete(ws.siteKey);
  await vi.waitFor(async () => expect([await settingsStatus(c.a, ws.siteKey, O1), await settingsStatus(c.b, ws.siteKey, O1)]).toEqual([401, 401]), AT_ONCE);
  expect(await Promise.all(ended)).toMatchObject([{ code: 'SITE_KEY_UNKNOWN' }, { code: 'SITE_KEY_UNKNOWN' }]);
}

export async function mergingAVisitorIntoACustomer(c: Cluster): Promise<void> {
  const { ws } = await workspace(c);
  const visitorTok = await visitorTokenAt(c.a, ws.siteKey, O1);
  // An anonymous tab on B writes (B now knows the conversation as the visitor's) ...
  const anonymous = await connect(c, c.b, { siteKey: ws.siteKey, visitorToken: visitorTok }, O1);
  const started = await request(anonymous.socket, 'start-conversation', {});
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  const conversationId = started.conversation.id;
  const send = (text: string) => request(anonymous.socket, 'send-message', { conversationId, clientMessageId: randomUUID(), text });
  expect((await send('before signing in')).ok).toBe(true);

  // ... then signs in on A, which moves the conversation to the customer.
  const signedIn = await connect(c, c.a, { siteKey: ws.siteKey, identityToken: await identityToken(ws.secret, 'merged'), visitorToken: visitorTok }, O1);
  const resumed = await request(signedIn.socket, 'start-conversation', {});
  expect(resumed.ok && resumed.conversation.id).toBe(conversationId);

  // B forgets at once that the anonymous identity was a member.
  await vi.waitFor(async () => {
    const r = await send('still anonymous');
    expect(r.ok ? 'ok' : r.error.code).toBe('FORBIDDEN');
  }, AT_ONCE);
}
