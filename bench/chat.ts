// npm run bench:chat -- --clients 200 --rooms 100 --rate 1000 --duration 20
// N socket.io clients in R rooms (each room one customer's conversation, its clients that customer's
// devices) send at a target total rate. Prints sent, acked, delivered, loss, latency and server CPU.
// Against a running server: add --url <url> --site-key <pk_...> --secret <sk_...> [--pid <server pid>]
// (its workspace must allow origin https://bench.example and its rate limits must be raised).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { arg, connectCustomer, cpuSeconds, percentile, serverPid, benchServer } from './support.ts';

const clients = Number(arg('clients', '200'));
const roomCount = Number(arg('rooms', '100'));
const rate = Number(arg('rate', '1000'));
const duration = Number(arg('duration', '20'));

async function main() {
  const server = await benchServer();
  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:chat  ${clients} clients / ${roomCount} rooms / ${rate} msg/s / ${duration} s  on ${db}  (${server.url})`);

  const sockets: { socket: Socket; room: number }[] = [];
  const conversationOf = new Map<number, string>();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let delivered = 0;
  let expectedDeliveries = 0;

  // Connect in batches so the handshake storm itself is not what we measure.
  for (let i = 0; i < clients; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, clients - i) }, async (_, j) => {
        const room = (i + j) % roomCount;
        const socket = await connectCustomer(server, `bench-user-${room}`, `Bench ${room}`);
        const r = await socket.timeout(30_000).emitWithAck('start-conversation', {});
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        conversationOf.set(room, r.conversation.id);
        socket.on('message-received', (m: { clientMessageId: string }) => {
          const t0 = sentAt.get(m.clientMessageId);
          if (t0 === undefined) return;
          delivered++;
          latencies.push(performance.now() - t0);
        });
        sockets.push({ socket, room });
      }),
    );
  }
  const membersOf = new Map<number, number>();
  for (const s of sockets) membersOf.set(s.room, (membersOf.get(s.room) ?? 0) + 1);
  console.log(`connected ${sockets.length} clients`);

  const pid = server.pid ? serverPid(server.pid) : undefined;
  const cpu0 = pid ? cpuSeconds(pid) : NaN;
  const wall0 = performance.now();
  const total = rate * duration;
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  let budget = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      budget += perTick;
      while (budget >= 1 && sent < total) {
        budget -= 1;
        const { socket, room } = sockets[next++ % sockets.length]!;
        const clientMessageId = randomUUID();
        sentAt.set(clientMessageId, performance.now());
        sent++;
        expectedDeliveries += membersOf.get(room)!;
        socket
          .timeout(30_000)
          .emitWithAck('send-message', { conversationId: conversationOf.get(room), clientMessageId, text: `bench ${sent}` })
          .then((r: { ok: boolean }) => (r.ok ? acked++ : failed++), () => failed++);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const sendWall = (performance.now() - wall0) / 1000;
  // Drain: wait until everything is acked and delivered, or 30 s.
  const drainStart = performance.now();
  while ((acked + failed < sent || delivered < expectedDeliveries) && performance.now() - drainStart < 30_000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const wall = (performance.now() - wall0) / 1000;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : NaN;
  latencies.sort((a, b) => a - b);
  const loss = expectedDeliveries ? (1 - delivered / expectedDeliveries) * 100 : 0;
  const lines = [
    ['sent', sent],
    ['acked', acked],
    ['failed acks', failed],
    ['achieved send rate', `${(sent / sendWall).toFixed(0)} msg/s`],
    ['delivered', `${delivered} / ${expectedDeliveries} expected`],
    ['loss', `${loss.toFixed(3)} %`],
    ['latency p50', `${percentile(latencies, 50).toFixed(1)} ms`],
    ['latency p99', `${percentile(latencies, 99).toFixed(1)} ms`],
    ['latency max', `${(latencies.at(-1) ?? NaN).toFixed(1)} ms`],
    ['server CPU', Number.isNaN(cpu) ? 'n/a (pass --pid)' : `${cpu.toFixed(1)} s over ${wall.toFixed(1)} s = ${((cpu / wall) * 100).toFixed(0)} % of one core`],
  ];
  for (const [k, v] of lines) console.log(`  ${String(k).padEnd(20)} ${v}`);
  for (const { socket } of sockets) socket.close();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
