// npm run bench:chat -- --clients 200 --rooms 100 --rate 1000 --duration 20
// N socket.io clients in R rooms (each room one customer's conversation, its clients that customer's
// devices) send at a target total rate. Prints sent, acked, delivered, loss, ack and delivery latency and
// server CPU (and PostgreSQL's, when on PostgreSQL). A message is delivered to the room's other sockets: the
// sender gets its ack only (no echo).
// Against a running server: add --url <url> --site-key <pk_...> --secret <sk_...> [--pid <server pid>]
// (its workspace must allow origin https://bench.example and its rate limits must be raised).
// --target relay: the same run against the bare Socket.io relay (bench/relay.ts) instead.
//
// npm run bench:chat -- --compare-relay [--clients 200 --rooms 100 --steps 250,500,1000,2000,5000,10000 --step-seconds 6 --idle 2000]
// Starts the bare relay and VeryChat (PostgreSQL when DATABASE_URL is set, else PGlite), drives both with
// this generator and prints both and the ratios VeryChat / relay: the highest rate of the step search with
// p99 < 100 ms and nothing lost, CPU per message and p50/p99 at 1,000 msg/s, memory per idle connection and
// the time to connect 2,000 clients. A step that fails on p99 alone (nothing lost) is run once more: other jobs
// on the machine can stall a whole step. Each figure is printed with the load average at its start.
//
// npm run bench:chat -- --alongside [--rate 1000 --duration 20 --baseline 10 --ai-rate 5 --ai-customers 5
//                                    --inbox-rate 5 --search-rate 5]
// The assistant and the agent console while chat traffic runs (issue 11, target 7). A fresh server (PostgreSQL
// when DATABASE_URL is set, else PGlite) on the console bench's seed (bench/console.ts: 100,000 messages, 5,000
// conversations, 2,000 customers, 20,000 payments; its size flags --messages, --conversations, … apply here),
// then probes paced by the clock (open loop: a slow answer does not delay the next request): --ai-customers
// customers ask FAQ questions (eval/assistant/set/faq-en.ts) at --ai-rate per second in all, timed from the
// send-ai-query emit to its `final`; an agent signed in with a bearer token lists the inbox views needs-reply
// and open at --inbox-rate and searches a common word and a customer-name fragment at --search-rate (HTTP
// latency). First --baseline seconds of probes with no chat traffic, then the probes again while this
// generator drives the chat clients at --rate msg/s for --duration s. Prints count, errors (timeouts after
// 10 s included) and p50/p90/p99/max of each probe in both phases, and the chat figures of the loaded run (its
// server CPU per message includes the probes' work; the line below it takes off their share measured in the
// baseline). The probes run in the generator's process: its event-loop delay p99 is printed beside them.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { FAQ_EN } from '../eval/assistant/set/faq-en.ts';
import type { InboxView } from '../protocol/console.ts';
import { REPO_ROOT } from '../server/paths.ts';
import { login, seed, seededSurname, type Seeded } from './console.ts';
import {
  apiGet,
  arg,
  askOnce,
  benchServer,
  connectCustomer,
  connectRelayClient,
  cpuSeconds,
  databaseCpuMeter,
  errorCode,
  percentile,
  rssKb,
  serverPid,
  startBenchServer,
  startConversation,
  startRelay,
  type BenchServer,
} from './support.ts';

const clients = Number(arg('clients', '200'));
const roomCount = Number(arg('rooms', '100'));
const rate = Number(arg('rate', '1000'));
const duration = Number(arg('duration', '20'));
const ACK_TIMEOUT_MS = 10_000;
const DRAIN_MS = 10_000;
const P99_LIMIT_MS = 100;

/** What the generator drives: VeryChat or the relay, both speaking start-conversation / send-message / message-received. */
interface Target {
  name: string;
  /** The process whose CPU and memory are measured (the node process itself, not a wrapper). */
  pid?: number;
  connect(user: string): Promise<Socket>;
  /** CPU seconds of the database's processes serving this target so far (PostgreSQL only). */
  dbCpu?(): Promise<{ backends: number; allPostgres: number }>;
  stop(): Promise<void>;
}

interface Member {
  socket: Socket;
  index: number;
  room: number;
  conversationId: string;
}

interface StepResult {
  target: string;
  rate: number;
  seconds: number;
  load: string;
  sent: number;
  acked: number;
  failed: number;
  failures: Record<string, number>;
  delivered: number;
  expected: number;
  echoes: number;
  achievedRate: number;
  ack: Percentiles;
  delivery: Percentiles;
  serverCpuUs: number;
  dbCpuUs: number;
  allPostgresCpuUs: number;
  clientCpuUs: number;
  serverCpuPct: number;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function percentiles(values: number[]): Percentiles {
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: values.at(-1) ?? NaN };
}

// ---- targets ----

async function veryChatTarget(server: BenchServer): Promise<Target> {
  const pid = server.pid ? serverPid(server.pid) : undefined;
  const database = await databaseCpuMeter(server);
  let dbCpu: Target['dbCpu'];
  if (database) {
    dbCpu = async () => ({ backends: await database.read(), allPostgres: postgresCpu() });
    const stop = server.stop;
    server = { ...server, stop: async () => (await database.close(), stop()) };
  }
  return {
    name: 'VeryChat',
    ...(pid && { pid }),
    connect: (user) => connectCustomer(server, user, user),
    ...(dbCpu && { dbCpu }),
    stop: () => server.stop(),
  };
}

async function relayTarget(): Promise<Target> {
  const relay = await startRelay();
  return { name: 'relay', pid: relay.pid, connect: (user) => connectRelayClient(relay.url, user), stop: relay.stop };
}

/** CPU seconds of every process named postgres on this machine (other databases' work included). */
function postgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      total += cpuSeconds(Number(entry));
    } catch {
      // gone
    }
  }
  return total;
}

// ---- the generator ----

/** Runs `fn` over 0..n-1 with at most `width` in flight. */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Current run's bookkeeping, read by every socket's message-received listener. */
let inFlight = new Map<string, { t0: number; sender: number }>();
let onDelivered: (latency: number, echo: boolean) => void = () => {};

/** N clients in R rooms: room r is user bench-user-r's conversation; each room's first client starts it. */
async function connectRooms(target: Target, n: number, rooms: number): Promise<Member[]> {
  const members: Member[] = [];
  const conversationOf = new Map<number, string>();
  const join = async (index: number) => {
    const room = index % rooms;
    const socket = await target.connect(`bench-user-${room}`);
    const r = await socket.timeout(30_000).emitWithAck('start-conversation', {});
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const id = r.conversation.id as string;
    if (conversationOf.has(room) && conversationOf.get(room) !== id) throw new Error(`room ${room}: two conversations`);
    conversationOf.set(room, id);
    socket.on('message-received', (m: { clientMessageId: string }) => {
      const f = inFlight.get(m.clientMessageId);
      if (f) onDelivered(performance.now() - f.t0, f.sender === index);
    });
    members.push({ socket, index, room, conversationId: id });
  };
  // The first client of each room first (it creates the conversation), then the others resume it.
  await pool(Math.min(n, rooms), 50, join);
  if (n > rooms) await pool(n - rooms, 50, (i) => join(rooms + i));
  members.sort((a, b) => a.index - b.index);
  return members;
}

/** Sends at `msgRate` for `seconds` round-robin over the members, then drains; measures everything. */
async function runRate(target: Target, members: Member[], msgRate: number, seconds: number): Promise<StepResult> {
  const membersOf = new Map<number, number>();
  for (const m of members) membersOf.set(m.room, (membersOf.get(m.room) ?? 0) + 1);
  inFlight = new Map();
  const ackLat: number[] = [];
  const delLat: number[] = [];
  let delivered = 0;
  let echoes = 0;
  onDelivered = (latency, echo) => {
    if (echo) return void echoes++;
    delivered++;
    delLat.push(latency);
  };
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let expected = 0;
  const failures: Record<string, number> = {};
  const fail = (code: string) => {
    failed++;
    failures[code] = (failures[code] ?? 0) + 1;
  };

  const loadAtStart = load();
  const cpu0 = target.pid ? cpuSeconds(target.pid) : NaN;
  const db0 = await target.dbCpu?.();
  const client0 = process.cpuUsage();
  const wall0 = performance.now();
  const total = Math.round(msgRate * seconds);
  let next = 0;
  // Paced by elapsed time (not by ticks), so a late timer catches up instead of lowering the rate.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - wall0) / 1000) * msgRate));
      while (sent < due) {
        const m = members[next++ % members.length]!;
        const clientMessageId = randomUUID();
        const t0 = performance.now();
        inFlight.set(clientMessageId, { t0, sender: m.index });
        sent++;
        expected += membersOf.get(m.room)! - 1;
        m.socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('send-message', { conversationId: m.conversationId, clientMessageId, text: `bench ${sent}` })
          .then(
            (r: { ok: boolean; error?: { code: string } }) => {
              if (r.ok) {
                acked++;
                ackLat.push(performance.now() - t0);
              } else fail(r.error?.code ?? 'ERROR');
            },
            () => fail('ACK_TIMEOUT'),
          );
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const sendWall = (performance.now() - wall0) / 1000;
  const drainStart = performance.now();
  while ((acked + failed < sent || delivered < expected) && performance.now() - drainStart < DRAIN_MS) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const wall = (performance.now() - wall0) / 1000;
  const cpu = target.pid ? cpuSeconds(target.pid) - cpu0 : NaN;
  const db1 = await target.dbCpu?.();
  const client = process.cpuUsage(client0);
  const perMsg = (s: number) => (s / Math.max(1, sent)) * 1e6;
  // Let stragglers settle before the next step.
  await new Promise((r) => setTimeout(r, 500));
  return {
    target: target.name,
    rate: msgRate,
    seconds,
    load: loadAtStart,
    sent,
    acked,
    failed,
    failures,
    delivered,
    expected,
    echoes,
    achievedRate: sent / sendWall,
    ack: percentiles(ackLat),
    delivery: percentiles(delLat),
    serverCpuUs: perMsg(cpu),
    dbCpuUs: db0 && db1 ? perMsg(db1.backends - db0.backends) : NaN,
    allPostgresCpuUs: db0 && db1 ? perMsg(db1.allPostgres - db0.allPostgres) : NaN,
    clientCpuUs: perMsg((client.user + client.system) / 1e6),
    serverCpuPct: (cpu / wall) * 100,
  };
}

const lost = (r: StepResult) => r.failed + (r.sent - r.acked - r.failed) + (r.expected - r.delivered);
const passes = (r: StepResult) => lost(r) === 0 && r.ack.p99 < P99_LIMIT_MS && r.delivery.p99 < P99_LIMIT_MS;

/** Connects n idle clients (distinct users, none in a conversation): connect time and RSS added per connection. */
async function idleConnections(target: Target, n: number): Promise<{ connectMs: number; kbPerConnection: number; rssBeforeMb: number; rssAfterMb: number; load: string }> {
  const loadAtStart = load();
  await new Promise((r) => setTimeout(r, 1000));
  const before = target.pid ? rssKb(target.pid) : NaN;
  const sockets: Socket[] = [];
  const t0 = performance.now();
  await pool(n, 50, async (i) => void sockets.push(await target.connect(`idle-user-${i}`)));
  const connectMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 2000));
  const after = target.pid ? rssKb(target.pid) : NaN;
  for (const s of sockets) s.close();
  await new Promise((r) => setTimeout(r, 1000));
  return { connectMs, kbPerConnection: (after - before) / n, rssBeforeMb: before / 1024, rssAfterMb: after / 1024, load: loadAtStart };
}

/** Waits (up to 20 s) until the target uses under 5 % of a core over half a second. */
async function quiet(target: Target): Promise<void> {
  if (!target.pid) return;
  const end = performance.now() + 20_000;
  while (performance.now() < end) {
    const c0 = cpuSeconds(target.pid);
    await new Promise((r) => setTimeout(r, 500));
    if ((cpuSeconds(target.pid) - c0) / 0.5 < 0.05) return;
  }
}

// ---- printing ----

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function printStep(r: StepResult) {
  const fails = Object.entries(r.failures)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `  ${r.target.padEnd(8)} ${String(r.rate).padStart(5)} msg/s (achieved ${f(r.achievedRate, 0)})  sent ${r.sent} acked ${r.acked} failed ${r.failed}${fails ? ` (${fails})` : ''}` +
      `  delivered ${r.delivered}/${r.expected}${r.echoes ? ` echoes ${r.echoes}` : ''}\n` +
      `           ack p50/p90/p99/max ${f(r.ack.p50)}/${f(r.ack.p90)}/${f(r.ack.p99)}/${f(r.ack.max, 0)} ms` +
      `  delivery ${f(r.delivery.p50)}/${f(r.delivery.p90)}/${f(r.delivery.p99)}/${f(r.delivery.max, 0)} ms\n` +
      `           CPU/msg server ${f(r.serverCpuUs, 0)} µs (${f(r.serverCpuPct, 0)} % of a core)` +
      `${Number.isFinite(r.dbCpuUs) ? `, PostgreSQL backends ${f(r.dbCpuUs, 0)} µs (all postgres processes ${f(r.allPostgresCpuUs, 0)} µs)` : ''}` +
      `, generator ${f(r.clientCpuUs, 0)} µs   load ${r.load}  ${passes(r) ? 'ok' : 'FAIL'}`,
  );
}

function table(rows: [string, string, string, string][]) {
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.map((c, j) => c.padEnd(w[j]!)).join(' | ')} |`);
    if (i === 0) console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  }
}

// ---- modes ----

async function single() {
  const target = arg('target', 'verychat') === 'relay' ? await relayTarget() : await veryChatTarget(await benchServer());
  const db = target.name === 'relay' ? 'no database' : process.argv.includes('--url') ? 'the given server' : process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:chat  ${target.name}  ${clients} clients / ${roomCount} rooms / ${rate} msg/s / ${duration} s  on ${db}  (load ${load()})`);
  const members = await connectRooms(target, clients, roomCount);
  console.log(`connected ${members.length} clients`);
  const r = await runRate(target, members, rate, duration);
  printStep(r);
  if (!target.pid) console.log('  (server CPU: pass --pid)');
  for (const m of members) m.socket.close();
  await target.stop();
}

async function compare() {
  const steps = arg('steps', '250,500,1000,2000,5000,10000').split(',').map(Number);
  const stepSeconds = Number(arg('step-seconds', '6'));
  const idle = Number(arg('idle', '2000'));
  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:chat --compare-relay  ${clients} clients / ${roomCount} rooms, steps ${steps.join(', ')} msg/s × ${stepSeconds} s, ${idle} idle connections; VeryChat on ${db}`);
  console.log(`${new Date().toISOString()}  load ${load()}`);
  const results: { name: string; idle: Awaited<ReturnType<typeof idleConnections>>; steps: StepResult[] }[] = [];
  for (const make of [relayTarget, async () => veryChatTarget(await benchServer())]) {
    const target = await make();
    try {
      // Idle connections first, on a fresh process (after the steps its heap has grown and would absorb them).
      const idleResult = await idleConnections(target, idle);
      console.log(
        `${target.name}: ${idle} idle connections in ${f(idleResult.connectMs / 1000, 2)} s, RSS ${f(idleResult.rssBeforeMb)} → ${f(idleResult.rssAfterMb)} MB = ${f(idleResult.kbPerConnection)} kB each  (load ${idleResult.load})`,
      );
      // The work they caused (contacts written, disconnects) must be over before the steps.
      await quiet(target);
      const members = await connectRooms(target, clients, roomCount);
      // Warm-up (JIT, pools, caches), not reported; then what the server burns with nothing sent.
      await runRate(target, members, 250, 2);
      const quiet0 = target.pid ? cpuSeconds(target.pid) : NaN;
      await new Promise((r) => setTimeout(r, 2000));
      console.log(`${target.name}: ${members.length} clients in ${roomCount} rooms; CPU with nothing sent ${f(((target.pid ? cpuSeconds(target.pid) : NaN) - quiet0) * 50, 0)} % of a core`);
      const done: StepResult[] = [];
      let failedAt: number | undefined;
      for (const s of steps) {
        // Past the first failure only 1,000 msg/s still runs (the table's per-message figures are taken there).
        if (failedAt !== undefined && s !== 1000) continue;
        let r = await runRate(target, members, s, stepSeconds);
        printStep(r);
        if (failedAt === undefined && !passes(r) && lost(r) === 0) {
          // Nothing lost, only a slow tail: once more, since other jobs on the machine can stall a whole step.
          console.log('           (p99 only: once more)');
          r = await runRate(target, members, s, stepSeconds);
          printStep(r);
        }
        done.push(r);
        if (failedAt === undefined && !passes(r)) failedAt = s;
        if (failedAt !== undefined && s >= 1000) break;
      }
      for (const m of members) m.socket.close();
      results.push({ name: target.name, idle: idleResult, steps: done });
    } finally {
      await target.stop();
    }
  }

  const [relay, vc] = results as [(typeof results)[0], (typeof results)[0]];
  const best = (x: (typeof results)[0]) => {
    let b = 0;
    for (const r of x.steps) {
      if (!passes(r)) break;
      b = r.rate;
    }
    return b;
  };
  const at1000 = (x: (typeof results)[0]) => x.steps.find((r) => r.rate === 1000);
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${a / b < 1 ? (a / b).toPrecision(2) : (a / b).toFixed(1)}×` : 'n/a');
  const r1 = at1000(relay);
  const v1 = at1000(vc);
  const vTotal = (v1?.serverCpuUs ?? NaN) + (Number.isFinite(v1?.dbCpuUs) ? v1!.dbCpuUs : 0);
  const bestRelay = best(relay);
  const bestVc = best(vc);
  const lastRelay = steps.filter((s) => s <= bestRelay).length === steps.length ? ` (the highest step tried)` : '';
  console.log(`\nVeryChat on ${db} vs the bare relay, ${clients} clients in ${roomCount} rooms (${new Date().toISOString().slice(0, 10)}, load ${load()}):\n`);
  table([
    ['', 'relay', `VeryChat (${db})`, 'VeryChat / relay'],
    [
      `highest step with p99 < ${P99_LIMIT_MS} ms, nothing lost`,
      bestRelay ? `${bestRelay} msg/s${lastRelay}` : `< ${steps[0]} msg/s`,
      bestVc ? `${bestVc} msg/s` : `< ${steps[0]} msg/s`,
      bestRelay && bestVc ? `${lastRelay ? '≤ ' : ''}${ratio(bestVc, bestRelay)}` : 'n/a',
    ],
    ['server CPU per message at 1,000 msg/s', `${f(r1?.serverCpuUs ?? NaN, 0)} µs`, `${f(v1?.serverCpuUs ?? NaN, 0)} µs`, ratio(v1?.serverCpuUs ?? NaN, r1?.serverCpuUs ?? NaN)],
    ...(Number.isFinite(v1?.dbCpuUs)
      ? ([
          ['PostgreSQL CPU per message (its backends)', '—', `${f(v1!.dbCpuUs, 0)} µs`, ''],
          ['server + database CPU per message', `${f(r1?.serverCpuUs ?? NaN, 0)} µs`, `${f(vTotal, 0)} µs`, ratio(vTotal, r1?.serverCpuUs ?? NaN)],
        ] as [string, string, string, string][])
      : []),
    ['ack p50 / p99 at 1,000 msg/s', `${f(r1?.ack.p50 ?? NaN)} / ${f(r1?.ack.p99 ?? NaN)} ms`, `${f(v1?.ack.p50 ?? NaN)} / ${f(v1?.ack.p99 ?? NaN)} ms`, `${ratio(v1?.ack.p50 ?? NaN, r1?.ack.p50 ?? NaN)} / ${ratio(v1?.ack.p99 ?? NaN, r1?.ack.p99 ?? NaN)}`],
    ['delivery p50 / p99 at 1,000 msg/s', `${f(r1?.delivery.p50 ?? NaN)} / ${f(r1?.delivery.p99 ?? NaN)} ms`, `${f(v1?.delivery.p50 ?? NaN)} / ${f(v1?.delivery.p99 ?? NaN)} ms`, `${ratio(v1?.delivery.p50 ?? NaN, r1?.delivery.p50 ?? NaN)} / ${ratio(v1?.delivery.p99 ?? NaN, r1?.delivery.p99 ?? NaN)}`],
    ['memory per idle connection (RSS)', `${f(relay.idle.kbPerConnection)} kB`, `${f(vc.idle.kbPerConnection)} kB`, ratio(vc.idle.kbPerConnection, relay.idle.kbPerConnection)],
    [`time to connect ${idle} clients (50 at a time)`, `${f(relay.idle.connectMs / 1000, 2)} s`, `${f(vc.idle.connectMs / 1000, 2)} s`, ratio(vc.idle.connectMs, relay.idle.connectMs)],
  ]);
}

// ---- --alongside: the assistant and the console while chat traffic runs ----

/** One kind of request the probes time: its latencies and its failures by code. */
interface Probe {
  label: string;
  latencies: number[];
  errors: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `fire(i)` `perSecond` times a second for `seconds`, open loop: paced by the clock, never waiting for an
 * answer (a slow server gets the same requests, not fewer); resolves when every call has settled.
 */
async function paced(perSecond: number, seconds: number, fire: (i: number) => Promise<void>): Promise<void> {
  const total = Math.round(perSecond * seconds);
  const t0 = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    calls.push(fire(i));
  }
  await Promise.all(calls);
}

interface ProbeRun {
  probes: Probe[];
  /** The generator's own event-loop delay while the probes ran (p99, ms): how much of a latency is ours. */
  loopDelayP99: number;
}

/**
 * Customers asking the assistant FAQ questions (send-ai-query → final) and an agent listing two inbox views
 * and searching a common word and a name fragment (HTTP latency), each at its fixed rate for `seconds`.
 */
function consoleAndAssistantProbes(server: BenchServer, token: string, askers: { socket: Socket; conversationId: string }[]) {
  const aiRate = Number(arg('ai-rate', '5'));
  const inboxRate = Number(arg('inbox-rate', '5'));
  const searchRate = Number(arg('search-rate', '5'));
  const views: InboxView[] = ['needs-reply', 'open'];
  const searches = ['payment', seededSurname().slice(0, -1)];
  const describe = `assistant ${aiRate}/s from ${askers.length} customers, inbox ${inboxRate}/s (${views.join(', ')}), search ${searchRate}/s (${searches.map((q) => `"${q}"`).join(', ')})`;
  return {
    describe,
    async run(seconds: number): Promise<ProbeRun> {
      const probes = new Map<string, Probe>();
      const probe = (label: string) => probes.get(label) ?? probes.set(label, { label, latencies: [], errors: {} }).get(label)!;
      const timed = async (label: string, call: () => Promise<unknown>, own?: (result: unknown) => number) => {
        const p = probe(label);
        const t0 = performance.now();
        try {
          const r = await call();
          p.latencies.push(own ? own(r) : performance.now() - t0);
        } catch (err) {
          const code = errorCode(err);
          p.errors[code] = (p.errors[code] ?? 0) + 1;
        }
      };
      // Rows in print order, whatever answers first.
      probe('send-ai-query → final (FAQ)');
      for (const v of views) probe(`inbox ${v}`);
      for (const q of searches) probe(`search "${q}"`);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      await Promise.all([
        paced(aiRate, seconds, (i) => {
          const asker = askers[i % askers.length]!;
          // askOnce times emit → final itself.
          return timed('send-ai-query → final (FAQ)', () => askOnce(asker.socket, asker.conversationId, FAQ_EN[(i * 7) % FAQ_EN.length]![0]), (ms) => ms as number);
        }),
        paced(inboxRate, seconds, (i) => {
          const view = views[i % views.length]!;
          return timed(`inbox ${view}`, () => apiGet(server, token, `/api/v1/inbox?view=${view}`, 10_000));
        }),
        paced(searchRate, seconds, (i) => {
          const q = searches[i % searches.length]!;
          return timed(`search "${q}"`, () => apiGet(server, token, `/api/v1/search?q=${encodeURIComponent(q)}`, 10_000));
        }),
      ]);
      loop.disable();
      // The histogram holds the intervals between its 10 ms ticks: the delay is what exceeds 10 ms.
      const all = (label: string, of: Probe[]): Probe => ({
        label,
        latencies: of.flatMap((p) => p.latencies),
        errors: of.reduce<Record<string, number>>((e, p) => {
          for (const [k, v] of Object.entries(p.errors)) e[k] = (e[k] ?? 0) + v;
          return e;
        }, {}),
      });
      const rows = [...probes.values()];
      return {
        probes: [
          ...rows,
          all('inbox, both views', rows.filter((p) => p.label.startsWith('inbox '))),
          all('search, both queries', rows.filter((p) => p.label.startsWith('search '))),
        ],
        loopDelayP99: Math.max(0, loop.percentile(99) / 1e6 - 10),
      };
    },
  };
}

function probeCells(p: Probe | undefined): string {
  if (!p) return '';
  const q = percentiles([...p.latencies]);
  const errors = Object.entries(p.errors)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${String(p.latencies.length).padStart(4)} ok ${errors ? `${errors} ` : ''}  ${f(q.p50)} / ${f(q.p90)} / ${f(q.p99)} / ${f(q.max, 0)}`;
}

/**
 * The assistant's and the console's latencies with no chat traffic (baseline), then again while the chat
 * generator sends `rate` msg/s for `duration` s, and that run's chat figures.
 */
async function alongside() {
  if (process.argv.includes('--url')) throw new Error('--alongside starts its own server: it seeds the console workspace and signs its agent in');
  const baselineSeconds = Number(arg('baseline', '10'));
  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:chat --alongside  on ${db}: chat ${clients} clients / ${roomCount} rooms / ${rate} msg/s / ${duration} s, baseline ${baselineSeconds} s  (${new Date().toISOString()}, load ${load()})`);
  let seeded: Seeded | undefined;
  const t0 = performance.now();
  const server = await startBenchServer({
    redisUrl: process.env.REDIS_URL,
    seed: async (prisma, workspaceId) => void (seeded = await seed(prisma, workspaceId)),
  });
  console.log(`server up in ${f((performance.now() - t0) / 1000)} s`);
  const target = await veryChatTarget(server);
  const sockets: Socket[] = [];
  try {
    const token = await login(server, seeded!.agentEmails[0]!);
    const askers = [];
    for (let i = 0; i < Number(arg('ai-customers', '5')); i++) {
      const socket = await connectCustomer(server, `assistant-asker-${i}`, `Asker ${i}`);
      sockets.push(socket);
      askers.push({ socket, conversationId: await startConversation(socket) });
    }
    const probes = consoleAndAssistantProbes(server, token, askers);
    const members = await connectRooms(target, clients, roomCount);
    for (const m of members) sockets.push(m.socket);
    console.log(`probes: ${probes.describe}; ${members.length} chat clients connected`);

    // Warm-up (JIT, the assistant's index, caches, pools), not reported.
    await Promise.all([runRate(target, members, 250, 2), probes.run(3)]);
    await quiet(target);

    const cpu0 = target.pid ? cpuSeconds(target.pid) : NaN;
    const wall0 = performance.now();
    const loadBaseline = load();
    const baseline = await probes.run(baselineSeconds);
    const baselineCpuPct = ((target.pid ? cpuSeconds(target.pid) : NaN) - cpu0) / ((performance.now() - wall0) / 1000) * 100;
    await quiet(target);

    const loadLoaded = load();
    const [chat, loaded] = await Promise.all([runRate(target, members, rate, duration), probes.run(duration)]);

    console.log(`\nchat during the probes (server CPU includes the probes' work):`);
    printStep(chat);
    // The probes' share, as measured in the baseline, taken off the server's CPU per message.
    const chatCpu = (chat.serverCpuUs * chat.sent) / 1e6;
    const chatWall = chatCpu / (chat.serverCpuPct / 100);
    console.log(`           ≈ ${f(((chatCpu - (baselineCpuPct / 100) * chatWall) / Math.max(1, chat.sent)) * 1e6, 0)} µs server CPU per message without the probes' baseline share`);
    console.log(
      `\nlatency, ms: count ok, errors, p50 / p90 / p99 / max` +
        `\n  baseline: no chat traffic, ${baselineSeconds} s (load ${loadBaseline}); server CPU ${f(baselineCpuPct, 0)} % of a core for the probes alone, generator event-loop delay p99 ${f(baseline.loopDelayP99)} ms` +
        `\n  loaded: chat at ${rate} msg/s, ${duration} s (load ${loadLoaded}); generator event-loop delay p99 ${f(loaded.loopDelayP99)} ms`,
    );
    const w = Math.max(...baseline.probes.map((p) => p.label.length));
    console.log(`  ${''.padEnd(w)}  ${'baseline'.padEnd(44)}  loaded`);
    for (const p of baseline.probes) {
      console.log(`  ${p.label.padEnd(w)}  ${probeCells(p).padEnd(44)}  ${probeCells(loaded.probes.find((x) => x.label === p.label))}`);
    }
  } finally {
    for (const s of sockets) s.close();
    await target.stop();
  }
}

function prepare() {
  // VeryChat runs from the production bundle: rebuild it first if its inputs changed (as `npm start` does).
  if (process.argv.includes('--url') || arg('target', 'verychat') === 'relay') return;
  const res = spawnSync(process.execPath, ['scripts/prepare.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('scripts/prepare.mjs failed');
}

async function main() {
  prepare();
  if (process.argv.includes('--compare-relay')) await compare();
  else if (process.argv.includes('--alongside')) await alongside();
  else await single();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
