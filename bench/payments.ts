// npm run bench:payments -- --users 1000 --rate 500 --duration 20 --throughput-events 5000 --concurrency 64
// 1,000 identified customers connected, in their user rooms, each with a conversation open; a merchant backend POSTs signed payment
// events between random pairs of them at a target rate. Prints accepted events/s, HTTP latency, and the
// latency from sending the webhook to each party's `payment-event` toast; then a closed-loop run for the
// highest accepted rate. Against a running server: --url <url> --site-key <pk_...> --secret <sk_...> [--pid <pid>]
// (its workspace must allow origin https://bench.example and its rate limits must be raised).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { SIGNATURE_HEADER, SITE_KEY_HEADER } from '../protocol/values.ts';
import { signPaymentEvent } from '../server/sdk/index.ts';
import { arg, connectCustomer, cpuSeconds, percentile, serverPid, benchServer } from './support.ts';

const users = Number(arg('users', '1000'));
const rate = Number(arg('rate', '500'));
const duration = Number(arg('duration', '20'));
const throughputEvents = Number(arg('throughput-events', '5000'));
const concurrency = Number(arg('concurrency', '64'));

interface Pending {
  sentAt: number;
  toasts: number;
}

async function main() {
  const server = await benchServer();
  const db = process.argv.includes('--url') ? 'the given server' : process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:payments  ${users} users / ${rate} events/s / ${duration} s  on ${db}${process.env.REDIS_URL ? ' + Redis' : ''}  (${server.url})`);

  const pending = new Map<string, Pending>();
  const toastLatencies: number[] = [];
  let toastsReceived = 0;
  const sockets: Socket[] = [];
  const onToast = (e: { reference: string }) => {
    const p = pending.get(e.reference);
    if (!p) return;
    toastsReceived++;
    toastLatencies.push(performance.now() - p.sentAt);
    if (++p.toasts === 2) pending.delete(e.reference);
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

  let seq = 0;
  const codes = new Map<string, number>();
  const httpLatencies: number[] = [];
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
      payee: userId(payee),
      ...(failed && { failure: { code: 'insufficient_funds', message: 'Insufficient funds' } }),
      occurredAt: new Date().toISOString(),
    });
    const sentAt = performance.now();
    pending.set(id, { sentAt, toasts: 0 });
    try {
      const res = await fetch(`${server.url}/api/v1/payments/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SITE_KEY_HEADER]: server.siteKey, [SIGNATURE_HEADER]: signPaymentEvent(server.secret, body) },
        body,
      });
      const text = await res.text();
      httpLatencies.push(performance.now() - sentAt);
      if (res.ok) return true;
      const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? `HTTP ${res.status}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const code = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    pending.delete(id);
    return false;
  };

  // --- Phase 1: open loop at the target rate ----------------------------------------------------------
  const pid = server.pid ? serverPid(server.pid) : undefined;
  const cpu0 = pid ? cpuSeconds(pid) : NaN;
  const wall0 = performance.now();
  const total = rate * duration;
  const inflight: Promise<boolean>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tickMs = 10;
    let budget = 0;
    const timer = setInterval(() => {
      budget += rate / (1000 / tickMs);
      while (budget >= 1 && sent < total) {
        budget -= 1;
        sent++;
        inflight.push(post());
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const sendWall = (performance.now() - wall0) / 1000;
  const accepted = (await Promise.all(inflight)).filter(Boolean).length;
  const acceptWall = (performance.now() - wall0) / 1000;
  const expectedToasts = accepted * 2;
  const drainStart = performance.now();
  while (toastsReceived < expectedToasts && performance.now() - drainStart < 30_000) await sleep(50);
  const wall = (performance.now() - wall0) / 1000;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : NaN;
  toastLatencies.sort((a, b) => a - b);
  httpLatencies.sort((a, b) => a - b);
  const loss = expectedToasts ? (1 - toastsReceived / expectedToasts) * 100 : 0;
  print([
    ['events sent', `${sent} (${(sent / sendWall).toFixed(0)}/s offered)`],
    ['accepted', `${accepted} = ${(accepted / acceptWall).toFixed(0)} events/s (last response after ${acceptWall.toFixed(1)} s)`],
    ['refused', codes.size ? [...codes].map(([c, n]) => `${c} ×${n}`).join(', ') : '0'],
    ['HTTP latency p50', ms(percentile(httpLatencies, 50))],
    ['HTTP latency p99', ms(percentile(httpLatencies, 99))],
    ['toasts', `${toastsReceived} / ${expectedToasts} expected (loss ${loss.toFixed(3)} %)`],
    ['send→toast p50', ms(percentile(toastLatencies, 50))],
    ['send→toast p99', ms(percentile(toastLatencies, 99))],
    ['send→toast max', ms(toastLatencies.at(-1) ?? NaN)],
    ['server CPU', Number.isNaN(cpu) ? 'n/a (pass --pid)' : `${cpu.toFixed(1)} s over ${wall.toFixed(1)} s = ${((cpu / wall) * 100).toFixed(0)} % of one core`],
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
    console.log(`throughput (${concurrency} concurrent requests, ${throughputEvents} events)`);
    print([
      ['accepted', `${ok} in ${secs.toFixed(1)} s = ${(ok / secs).toFixed(0)} events/s`],
      ['refused', codes.size ? [...codes].map(([c, n]) => `${c} ×${n}`).join(', ') : '0'],
    ]);
  }

  for (const socket of sockets) socket.close();
  await server.stop();
}

const userId = (i: number) => `bench-payer-${i}`;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
function print(lines: [string, string | number][]) {
  for (const [k, v] of lines) console.log(`  ${k.padEnd(20)} ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
