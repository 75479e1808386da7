// npm run bench:payments -- --users 1000 --rate 500 --duration 20 --throughput-events 5000 --concurrency 64 [--warmup 3] [--connections 512]
// 1,000 identified customers connected, in their user rooms, each with a conversation open; a merchant backend POSTs signed payment
// events between random pairs of them at a target rate. Prints accepted events/s, HTTP latency, and the
// latency from sending the webhook to each party's `payment-event` toast; then a closed-loop run for the
// highest accepted rate. Against a running server: --url <url> --site-key <pk_...> --secret <sk_...> [--pid <pid>]
// (its workspace must allow origin https://bench.example and its rate limits must be raised).
// --offline N: each payee is one of N other customers instead, stored with a conversation before the server
// starts but never connected (a merchant's customer base: most parties of a payment have not been seen in the
// last minute, so nothing about them is cached); only the payer gets a toast then. --offline new: each payee is
// a customer the server has never stored (a new merchant's first day: contact and conversation created).
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Socket } from 'socket.io-client';
import { SIGNATURE_HEADER, SITE_KEY_HEADER } from '../protocol/values.ts';
import { signPaymentEvent } from '../server/sdk/index.ts';
import type { Database } from '../server/db/client.ts';
import { arg, connectCustomer, cpuSeconds, databaseCpuMeter, kernelSeconds, percentile, serverPid, benchServer } from './support.ts';

const users = Number(arg('users', '1000'));
const rate = Number(arg('rate', '500'));
const duration = Number(arg('duration', '20'));
const throughputEvents = Number(arg('throughput-events', '5000'));
const concurrency = Number(arg('concurrency', '64'));
/** Keep-alive connections of the open-loop sender (the closed loop uses --concurrency). */
const connections = Number(arg('connections', '512'));
/** Seconds at the target rate before measuring (0: measure from the first event). */
const warmup = Number(arg('warmup', '3'));
/** Payees drawn from this many stored customers who are not connected (0: payees are connected users too). */
const newPayees = arg('offline', '0') === 'new';
const offline = newPayees ? 0 : Number(arg('offline', '0'));
if (!Number.isInteger(offline) || offline < 0) throw new Error(`--offline takes a count of customers or "new", not "${arg('offline', '0')}"`);
/** Never-stored payees are new on every run, against a running server too. */
const runId = randomUUID().slice(0, 8);
/** Toasts each accepted event brings: the payer's, and the payee's when connected. */
const toastsPerEvent = offline > 0 || newPayees ? 1 : 2;

interface Pending {
  sentAt: number;
  toasts: number;
}

async function main() {
  if (offline > 0 && process.argv.includes('--url')) throw new Error('--offline seeds its own server: leave out --url');
  const server = await benchServer({ ...(offline > 0 && { seed: seedOffline }) });
  const db = process.argv.includes('--url') ? 'the given server' : process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:payments  ${users} users / ${rate} events/s / ${duration} s / up to ${Math.max(concurrency, connections)} connections  on ${db}${process.env.REDIS_URL ? ' + Redis' : ''}  (${server.url})`);

  const pending = new Map<string, Pending>();
  const toastLatencies: number[] = [];
  /** Toast latencies by the second (of the open loop) their event was sent in. */
  const bySecond: number[][] = [];
  let phase1Start = NaN;
  let toastsReceived = 0;
  const sockets: Socket[] = [];
  const onToast = (e: { reference: string }) => {
    const p = pending.get(e.reference);
    if (!p) return;
    toastsReceived++;
    toastLatencies.push(performance.now() - p.sentAt);
    const second = Math.floor((p.sentAt - phase1Start) / 1000);
    if (second >= 0 && second < duration) (bySecond[second] ??= []).push(performance.now() - p.sentAt);
    if (++p.toasts === toastsPerEvent) pending.delete(e.reference);
  };

  // Connect in batches so the handshake storm itself is not what we measure.
  for (let i = 0; i < users; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, users - i) }, async (_, j) => {
        const socket = await connectCustomer(server, userId(i + j));
        const joined = await socket.timeout(30_000).emitWithAck('join-user-room', {});
        if (!joined.ok) throw new Error(JSON.stringify(joined.error));
        // As a widget that was opened: the customer has a support conversation for the cards to land in.
        const started = await socket.timeout(30_000).emitWithAck('start-conversation', {});
        if (!started.ok) throw new Error(JSON.stringify(started.error));
        socket.on('payment-event', onToast);
        sockets.push(socket);
      }),
    );
  }
  console.log(`connected ${sockets.length} customers, each in their user room with a conversation open`);
  if (offline > 0) console.log(`payees: ${offline} stored customers, not connected (only payers get toasts)`);
  if (newPayees) console.log('payees: a customer never stored for each event, not connected (only payers get toasts)');

  let seq = 0;
  const codes = new Map<string, number>();
  const httpLatencies: number[] = [];
  const target = new URL(`${server.url}/api/v1/payments/events`);
  // A merchant backend's webhook sender: a bounded pool of keep-alive connections (global fetch opened a new
  // connection for every request in flight, thousands under queueing, refused with ECONNRESET / connect
  // timeouts, and spent the generator's CPU on handshakes instead of events). Large enough that an event is
  // not held back in this process behind slower responses: its toast latency is the server's.
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(concurrency, connections) });
  /** One signed delivery between two random connected users; resolves with whether it was accepted. */
  const post = async (): Promise<boolean> => {
    const n = seq++;
    const payer = Math.floor(Math.random() * users);
    const payee = (payer + 1 + Math.floor(Math.random() * (users - 1))) % users;
    const id = `evt_bench_${n}_${randomUUID().slice(0, 8)}`;
    const failed = n % 10 === 9;
    const body = JSON.stringify({
      id,
      type: failed ? 'payment.failed' : 'payment.succeeded',
      amount: `${1 + (n % 500)}.${String(n % 1000).padStart(3, '0')}`,
      token: 'VRC',
      payer: userId(payer),
      payee: newPayees ? `bench-new-${runId}-${n}` : offline > 0 ? offlineId(Math.floor(Math.random() * offline)) : userId(payee),
      ...(failed && { failure: { code: 'insufficient_funds', message: 'Insufficient funds' } }),
      occurredAt: new Date().toISOString(),
    });
    const sentAt = performance.now();
    pending.set(id, { sentAt, toasts: 0 });
    try {
      const res = await postJson(agent, target, body, {
        [SITE_KEY_HEADER]: server.siteKey,
        [SIGNATURE_HEADER]: signPaymentEvent(server.secret, body),
      });
      httpLatencies.push(performance.now() - sentAt);
      if (res.status >= 200 && res.status < 300) return true;
      const code = (JSON.parse(res.text) as { error?: { code?: string } }).error?.code ?? `HTTP ${res.status}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    } catch (err) {
      const code = `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    pending.delete(id);
    return false;
  };

  /** Sends `rate` events/s for `seconds`, waits for their answers and toasts; the figures of that run. */
  const openLoop = async (seconds: number) => {
    codes.clear();
    toastLatencies.length = 0;
    httpLatencies.length = 0;
    bySecond.length = 0;
    const toasts0 = toastsReceived;
    const wall0 = performance.now();
    phase1Start = wall0;
    const total = rate * seconds;
    const inflight: Promise<boolean>[] = [];
    let sent = 0;
    await new Promise<void>((resolve) => {
      // Paced by the clock, not by counting ticks: a late timer (the generator is busy with 1,000 sockets)
      // sends what fell due meanwhile, so the offered rate is the one asked for.
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - wall0) / 1000) * rate));
        while (sent < due) {
          sent++;
          inflight.push(post());
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    const sendWall = (performance.now() - wall0) / 1000;
    const accepted = (await Promise.all(inflight)).filter(Boolean).length;
    const acceptWall = (performance.now() - wall0) / 1000;
    const expectedToasts = accepted * toastsPerEvent;
    const drainStart = performance.now();
    while (toastsReceived - toasts0 < expectedToasts && performance.now() - drainStart < 30_000) await sleep(50);
    toastLatencies.sort((a, b) => a - b);
    httpLatencies.sort((a, b) => a - b);
    const received = toastsReceived - toasts0;
    return { sent, sendWall, accepted, acceptWall, expectedToasts, received, wall: (performance.now() - wall0) / 1000 };
  };

  // --- Warm-up: each customer's first card after connecting finds their conversation (cached afterwards),
  // and the code is not yet optimised; measured apart so the run below shows the steady state.
  if (warmup > 0) {
    const w = await openLoop(warmup);
    console.log(
      `warm-up (${warmup} s at ${rate}/s, not counted below): accepted ${w.accepted}, toasts ${w.received} / ${w.expectedToasts}, ` +
        `send→toast p50 ${ms(percentile(toastLatencies, 50))} p99 ${ms(percentile(toastLatencies, 99))}`,
    );
  }

  // --- Phase 1: open loop at the target rate ----------------------------------------------------------
  const meter = await cpuMeter(server);
  const cpu0 = await meter.read();
  const { sent, sendWall, accepted, acceptWall, expectedToasts, received, wall } = await openLoop(duration);
  const cpu = (await meter.read()).minus(cpu0);
  const loss = expectedToasts ? (1 - received / expectedToasts) * 100 : 0;
  print([
    ['events sent', `${sent} (${(sent / sendWall).toFixed(0)}/s offered)`],
    ['accepted', `${accepted} = ${(accepted / acceptWall).toFixed(0)} events/s (last response after ${acceptWall.toFixed(1)} s)`],
    ['refused', codes.size ? [...codes].map(([c, n]) => `${c} ×${n}`).join(', ') : '0'],
    ['HTTP latency p50', ms(percentile(httpLatencies, 50))],
    ['HTTP latency p99', ms(percentile(httpLatencies, 99))],
    ['toasts', `${received} / ${expectedToasts} expected (loss ${loss.toFixed(3)} %)`],
    ['send→toast p50', ms(percentile(toastLatencies, 50))],
    ['send→toast p99', ms(percentile(toastLatencies, 99))],
    ['send→toast max', ms(toastLatencies.at(-1) ?? NaN)],
    ['p99 by second sent', bySecond.map((l) => percentile(l.sort((a, b) => a - b), 99).toFixed(0)).join(' ') + ' ms'],
    ...cpu.lines(wall, accepted),
  ]);
  if (accepted / acceptWall < 0.95 * (sent / sendWall)) {
    console.log('  NOTE: the server accepted less than it was offered, so the latencies above include queueing;');
    console.log('        run with a lower --rate to see them unloaded, and see "throughput" below for its ceiling.');
  }

  // --- Phase 2: closed loop, the highest accepted rate ------------------------------------------------
  if (throughputEvents > 0) {
    codes.clear();
    let remaining = throughputEvents;
    let ok = 0;
    const c0 = await meter.read();
    const toasts0 = toastsReceived;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (remaining > 0) {
          remaining--;
          if (await post()) ok++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const drained = performance.now();
    while (toastsReceived - toasts0 < ok * toastsPerEvent && performance.now() - drained < 30_000) await sleep(50);
    const used = (await meter.read()).minus(c0);
    console.log(`throughput (${concurrency} concurrent requests, ${throughputEvents} events)`);
    print([
      ['accepted', `${ok} in ${secs.toFixed(1)} s = ${(ok / secs).toFixed(0)} events/s`],
      ['refused', codes.size ? [...codes].map(([c, n]) => `${c} ×${n}`).join(', ') : '0'],
      ['toasts', `${toastsReceived - toasts0} / ${ok * toastsPerEvent} expected`],
      ...used.lines((performance.now() - t0) / 1000, ok),
    ]);
  }

  for (const socket of sockets) socket.close();
  agent.destroy();
  await meter.close();
  await server.stop();
}

interface CpuReading {
  server: number;
  /** Of which in the kernel (socket writes on loopback carry the receiver's work too). */
  serverSys: number;
  /** The server's own PostgreSQL backends (NaN on PGlite, which is inside the server's process). */
  database: number;
  /** This load generator (1,000 sockets and the webhook sender), on the same cores. */
  generator: number;
  minus(o: CpuReading): CpuReading;
  lines(wallSeconds: number, events: number): [string, string][];
}

/** CPU seconds of the server, its database backends and this generator, from /proc. */
async function cpuMeter(server: Awaited<ReturnType<typeof benchServer>>): Promise<{ read(): Promise<CpuReading>; close(): Promise<void> }> {
  const pid = server.pid ? serverPid(server.pid) : undefined;
  const database = await databaseCpuMeter(server);
  const reading = (server: number, serverSys: number, database: number, generator: number): CpuReading => ({
    server,
    serverSys,
    database,
    generator,
    minus: (o) => reading(server - o.server, serverSys - o.serverSys, database - o.database, generator - o.generator),
    lines(wall, events) {
      const per = (s: number) => (Number.isNaN(s) ? 'n/a' : `${((s / Math.max(1, events)) * 1e6).toFixed(0)} µs/event (${s.toFixed(1)} s = ${((s / wall) * 100).toFixed(0)} % of a core)`);
      return [
        ['server CPU', pid ? `${per(server)}, ${((serverSys / Math.max(1e-9, server)) * 100).toFixed(0)} % in the kernel` : 'n/a (pass --pid)'],
        ['PostgreSQL CPU', per(database)],
        ['generator CPU', per(generator)],
      ];
    },
  });
  return {
    async read() {
      const own = process.cpuUsage();
      return reading(pid ? cpuSeconds(pid) : NaN, pid ? kernelSeconds(pid) : NaN, database ? await database.read() : NaN, (own.user + own.system) / 1e6);
    },
    close: async () => void (await database?.close()),
  };
}

/** POST over the given keep-alive agent; the status and the body's text. */
function postJson(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const userId = (i: number) => `bench-payer-${i}`;
const offlineId = (i: number) => `bench-offline-${i}`;

/** The --offline customers: a contact and an open conversation each, as if they had chatted a day ago. */
async function seedOffline(prisma: Database['prisma'], workspaceId: string): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Contact" ("id", "workspaceId", "externalId", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'bench-offline-' || g, now(), now() FROM generate_series(0, $2::int - 1) g`,
    workspaceId,
    offline,
  );
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Conversation" ("id", "workspaceId", "contactId", "lastMessageAt", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), "workspaceId", "id", now() - interval '1 day', now(), now()
       FROM "Contact" WHERE "workspaceId" = $1::uuid AND "externalId" LIKE 'bench-offline-%'`,
    workspaceId,
  );
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
function print(lines: [string, string | number][]) {
  for (const [k, v] of lines) console.log(`  ${k.padEnd(20)} ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
