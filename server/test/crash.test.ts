// Crash tests: two devices of one customer stream messages while the server is killed with SIGKILL (and
// restarted), or while one of two instances behind Redis is killed. Each device reconnects and catches up
// as the widget does; in the end both show every acknowledged message exactly once, in order.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { identityToken } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { Device } from './support/device.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer } from './support/server-process.ts';

const ORIGIN = 'https://shop.example';
const PER_DEVICE = 40;
/** Killed once this many messages are acknowledged: mid-stream. */
const KILL_AFTER = 25;
/** Rate limits out of the way: the devices send as fast as acknowledgements come back. */
const BASE_ENV = { PORT: '0', LOG_LEVEL: 'warn', ALLOWED_ORIGINS: ORIGIN, RATE_LIMIT_MULTIPLIER: '20' };

const children: ChildProcess[] = [];
const devices: Device[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of devices) d.close();
  await Promise.all(children.map(stopServer));
  for (const db of databases) await db.drop();
});

async function startNode(env: Record<string, string>) {
  const node = spawnServer({ ...BASE_ENV, ...env });
  children.push(node.child);
  const url = await node.ready;
  const credentials = {
    siteKey: /Demo site key\s+(pk_\S+)/.exec(node.run.stdout)?.[1],
    secret: /Demo secret\s+(sk_\S+)/.exec(node.run.stdout)?.[1],
  };
  return { ...node, url, credentials };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const totalAcked = () => devices.reduce((n, d) => n + d.acked.length, 0);

/** Both devices show the same messages: every acknowledged one, once each, in seq order, with no gap. */
async function expectConverged(pair: Device[]) {
  const acked = pair.flatMap((d) => d.acked.map((m) => m.clientMessageId));
  expect(new Set(acked).size).toBe(2 * PER_DEVICE);
  await vi.waitFor(
    () => {
      for (const d of pair) {
        const shown = d.shown();
        expect(shown.map((m) => m.seq)).toEqual(shown.map((_, i) => i + 1));
        expect(shown.map((m) => m.clientMessageId).sort()).toEqual([...acked].sort());
      }
    },
    { timeout: 20_000, interval: 100 },
  );
  expect(pair[0]!.shown()).toEqual(pair[1]!.shown());
}

function texts(device: string) {
  return Array.from({ length: PER_DEVICE }, (_, i) => `${device} ${i + 1}`);
}

describe('one server killed mid-stream and restarted', () => {
  it('leaves both devices with every acknowledged message exactly once, in order', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const env: Record<string, string> = { DATA_DIR: database.dataDir, ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }) };
    const first = await startNode(env);
    const { siteKey, secret } = first.credentials;
    expect(siteKey && secret).toBeTruthy();
    const auth = { siteKey, identityToken: await identityToken(secret!, `crash-${randomUUID().slice(0, 8)}`, { ttl: 3600 }) };
    const pair = ['phone', 'laptop'].map((name) => new Device({ name, urls: [first.url], auth, origin: ORIGIN }));
    devices.push(...pair);
    for (const d of pair) d.start();
    const streams = pair.map((d, i) => d.sendAll(texts(i === 0 ? 'phone' : 'laptop')));

    await vi.waitFor(() => expect(totalAcked()).toBeGreaterThanOrEqual(KILL_AFTER), { timeout: 30_000, interval: 20 });
    await kill(first.child);
    // The same address and data: devices come back to it by themselves.
    await startNode({ ...env, PORT: new URL(first.url).port });

    await Promise.all(streams);
    await expectConverged(pair);
  }, 120_000);
});

needs('postgres', 'redis').describe('one of two instances behind Redis killed mid-stream', () => {
  it('leaves both devices with every acknowledged message exactly once, in order', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const env = { DATABASE_URL: database.databaseUrl!, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
    const a = await startNode(env);
    const b = await startNode(env);
    const { siteKey, secret } = a.credentials;
    const auth = { siteKey, identityToken: await identityToken(secret!, `crash-${randomUUID().slice(0, 8)}`, { ttl: 3600 }) };
    // The phone talks to A and the laptop to B; when A dies the phone moves to B.
    const phone = new Device({ name: 'phone', urls: [a.url, b.url], auth, origin: ORIGIN });
    const laptop = new Device({ name: 'laptop', urls: [b.url, a.url], auth, origin: ORIGIN });
    const pair = [phone, laptop];
    devices.push(...pair);
    for (const d of pair) d.start();
    const streams = [phone.sendAll(texts('phone')), laptop.sendAll(texts('laptop'))];

    await vi.waitFor(() => expect(phone.acked.length + laptop.acked.length).toBeGreaterThanOrEqual(KILL_AFTER), { timeout: 30_000, interval: 20 });
    await kill(a.child);

    await Promise.all(streams);
    await expectConverged(pair);
  }, 120_000);
});
