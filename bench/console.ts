// npm run bench:console [-- --messages 100000 --conversations 5000 --contacts 2000 --long 5000 --payments 20000
//                          --samples 40 --agents 20 --fanout 200 --rate 20]
// The agent console at size: one workspace seeded in bulk SQL (contacts, conversations across statuses, modes
// and assignees, messages with one long thread, payments with transaction hashes), then, against the
// production bundle (`npm start`'s), as an agent signed in with a bearer token would:
//   1. latency p50/p95/p99 of GET /api/v1/inbox (each view's first page and a deep keyset page), the counts,
//      the long thread's newest and a middle page, and GET /api/v1/search (common word, rare word, name and
//      email fragments, external id, payment reference, transaction hash), one request at a time;
//   2. fan-out: `--agents` console sockets online, customers send `--fanout` messages at `--rate` per second;
//      send → last agent's `message-received` (p50/p99) and the server's CPU per message, against the same
//      run with no agent online.
// Embedded PGlite by default; PostgreSQL when DATABASE_URL is set (a fresh database, dropped afterwards).
import { createHash, randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import type { InboxPage, SearchResponse, ThreadPage } from '../protocol/console.ts';
import { INBOX_VIEWS, type InboxView } from '../protocol/console.ts';
import type { Database } from '../server/db/client.ts';
import { createServices } from '../server/services/index.ts';
import { agentLogin, apiGet, arg, connectCustomer, cpuSeconds, percentile, serverPid, startBenchServer, type BenchServer } from './support.ts';

const MESSAGES = Number(arg('messages', '100000'));
const CONVERSATIONS = Number(arg('conversations', '5000'));
const CONTACTS = Number(arg('contacts', '2000'));
const LONG = Math.min(Number(arg('long', '5000')), MESSAGES);
const PAYMENTS = Number(arg('payments', '20000'));
const SAMPLES = Number(arg('samples', '40'));
const AGENTS = Number(arg('agents', '20'));
const FANOUT = Number(arg('fanout', '200'));
const RATE = Number(arg('rate', '20'));
const DEEP_PAGES = Number(arg('deep', '20'));
const PASSWORD = 'bench password 1234';

const FIRST = ['Amara', 'Bruno', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'];
const LAST = ['Okafor', 'Silva', 'Wang', 'Haddad', 'Novak', 'Kowalski', 'Mensah', 'Tanaka', 'Petrov', 'Garcia', 'Moreau', 'Schmidt', 'Rossi', 'Nguyen', 'Costa', 'Larsen', 'Ibrahim', 'Dubois', 'Fischer', 'Yilmaz'];
/** What customers write: 3 of 12 mention "payment" (the common word). */
const PHRASES = [
  'hi, my payment is still pending since yesterday',
  'where is my refund for the order',
  'the payment failed but the money left my account',
  'can you send me the receipt please',
  'thanks, that solved it',
  'how long does a transfer take',
  'i was charged twice for one payment',
  'is there a fee for sending tokens',
  'my wallet shows a different balance',
  'please cancel the last transfer',
  'ok, waiting for your answer',
  'the app says network error when i pay',
];
const WORDS = ['today', 'again', 'urgent', 'order', 'invoice', 'balance', 'wallet', 'card', 'bank', 'account', 'friend', 'shop', 'merchant', 'number', 'email', 'phone', 'help', 'please', 'still', 'now'];
/** A version-4-shaped uuid from a SQL text expression (deterministic, so tables can refer to each other's rows). */
const uuid = (expr: string) => `(overlay(overlay(md5(${expr}) placing '4' from 13) placing '8' from 17))::uuid`;
const sqlArray = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

export interface Seeded {
  agentEmails: string[];
  longConversationId: string;
}

/**
 * Bulk rows straight in SQL. Conversation g (1…N) belongs to contact ((g-1) % contacts) + 1; conversation 1 is
 * the long thread. Statuses: 50 % open (a third with the assistant), 10 % pending, 10 % snoozed, 30 % resolved;
 * people's conversations assigned to one of the first 5 agents, every fourth nobody's, half waiting.
 */
export async function seed(prisma: Database['prisma'], workspaceId: string): Promise<Seeded> {
  const services = createServices({ prisma });
  const agentIds: string[] = [];
  const agentEmails: string[] = [];
  for (let i = 0; i < Math.max(AGENTS, 5); i++) {
    const email = `agent-${i}@bench.example`;
    const { agent } = await services.agents.create(workspaceId, { email, name: `Agent ${i}`, password: PASSWORD });
    agentIds.push(agent.id);
    agentEmails.push(email);
  }
  const t0 = Date.now();
  const base = new Date();
  await prisma.$executeRawUnsafe(`
    INSERT INTO "Contact" ("id", "workspaceId", "externalId", "name", "email", "createdAt", "updatedAt")
    SELECT ${uuid(`'contact' || g`)}, '${workspaceId}'::uuid, 'user-' || g,
           f || ' ' || l, lower(f) || '.' || lower(l) || g || '@mail.example',
           $1::timestamptz - g * interval '1 hour', $1::timestamptz
      FROM generate_series(1, ${CONTACTS}) g,
           LATERAL (SELECT (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] AS f, (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] AS l) n`, base);
  const others = Math.max(CONVERSATIONS - 1, 1);
  const each = Math.floor((MESSAGES - LONG) / others);
  const extra = MESSAGES - LONG - each * others;
  // Messages per conversation, and when its last one came (the same expressions for both tables).
  const count = `(CASE WHEN g = 1 THEN ${LONG} ELSE ${each} + (CASE WHEN g - 2 < ${extra} THEN 1 ELSE 0 END) END)`;
  const lastAt = `($1::timestamptz - ((g * 7919) % 43200) * interval '1 minute')`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO "Conversation" ("id", "workspaceId", "contactId", "status", "mode", "aiEpisodeStartedAt", "handoffAt", "handoffReason",
                                "assigneeId", "lastSeq", "lastMessageAt", "waitingSince", "lastCustomerMessageAt", "snoozedUntil",
                                "resolvedAt", "createdAt", "updatedAt")
    SELECT ${uuid(`'conv' || g`)}, '${workspaceId}'::uuid, ${uuid(`'contact' || (((g - 1) % ${CONTACTS}) + 1)`)},
           s::"ConversationStatus", m::"ConversationMode", la - interval '1 day',
           CASE WHEN m = 'human' THEN la - interval '2 hours' END, CASE WHEN m = 'human' THEN 'customer-asked' END,
           CASE WHEN m = 'human' AND g % 4 <> 0 THEN (${sqlArray(agentIds)})[1 + (g / 4) % 5]::uuid END,
           ${count}, la,
           CASE WHEN s = 'open' AND g % 2 = 0 THEN la END, la,
           CASE WHEN s = 'snoozed' AND g % 20 <> 6 THEN $1::timestamptz + (g % 100) * interval '1 hour' END,
           CASE WHEN s = 'resolved' THEN la + interval '1 hour' END,
           la - interval '1 day', la
      FROM generate_series(1, ${CONVERSATIONS}) g,
           LATERAL (SELECT ${lastAt} AS la,
                           CASE WHEN g % 10 < 5 THEN 'open' WHEN g % 10 = 5 THEN 'pending' WHEN g % 10 = 6 THEN 'snoozed' ELSE 'resolved' END AS s,
                           CASE WHEN g % 10 < 5 AND g % 3 = 0 THEN 'ai' ELSE 'human' END AS m) x`, base);
  await prisma.$executeRawUnsafe(`
    INSERT INTO "Message" ("id", "conversationId", "workspaceId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "createdAt")
    SELECT ${uuid(`'m' || g || ':' || s`)}, ${uuid(`'conv' || g`)}, '${workspaceId}'::uuid, s, 'seed-' || g || '-' || s,
           (CASE WHEN s % 2 = 1 THEN 'contact' WHEN g % 3 = 0 THEN 'assistant' ELSE 'agent' END)::"SenderType",
           CASE WHEN s % 2 = 1 THEN 'user-' || (((g - 1) % ${CONTACTS}) + 1) END, 'text',
           (${sqlArray(PHRASES)})[1 + (g * 31 + s * 17) % ${PHRASES.length}] || ' ' || (${sqlArray(WORDS)})[1 + (g * 13 + s * 7) % ${WORDS.length}]
             || ' #' || ((g * s) % 997) || CASE WHEN (g * 7919 + s) % 25013 = 0 THEN ' zanzibar' ELSE '' END,
           ${lastAt} - (${count} - s) * interval '1 minute'
      FROM generate_series(1, ${CONVERSATIONS}) g, LATERAL generate_series(1, ${count}) s`, base);
  // Agent 0 has read about half of what it can see.
  await prisma.$executeRawUnsafe(`
    INSERT INTO "ReadCursor" ("conversationId", "participantType", "participantId", "lastReadSeq", "lastDeliveredSeq", "updatedAt")
    SELECT "id", 'agent', '${agentIds[0]}', "lastSeq" - ("lastSeq" % 2), "lastSeq", now()
      FROM "Conversation" WHERE "workspaceId" = '${workspaceId}'::uuid AND "mode" = 'human' AND ("assigneeId" IS NULL OR "assigneeId" = '${agentIds[0]}'::uuid)`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO "Payment" ("id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "txHash",
                           "occurredAt", "initiatedAt", "succeededAt", "createdAt", "updatedAt")
    SELECT ${uuid(`'pay' || g`)}, '${workspaceId}'::uuid, 'bench-pay-' || g,
           (CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'succeeded' END)::"PaymentStatus", (g % 500 + 0.25)::numeric, 'USDC',
           'user-' || (g % ${CONTACTS} + 1), 'merchant', CASE WHEN g % 10 <> 0 THEN '0x' || md5('h' || g) || md5('x' || g) END,
           t, t, CASE WHEN g % 10 <> 0 THEN t END, t, t
      FROM generate_series(1, ${PAYMENTS}) g, LATERAL (SELECT $1::timestamptz - g * interval '7 minutes' AS t) x`, base);
  // As after a restore or a long day: the planner's statistics are current.
  await prisma.$executeRawUnsafe(`ANALYZE`);
  console.log(`seeded ${CONTACTS} contacts, ${CONVERSATIONS} conversations, ${MESSAGES} messages (one thread of ${LONG}), ${PAYMENTS} payments, ${agentIds.length} agents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const [long] = await prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT ${uuid(`'conv1'`)}::text AS id`);
  return { agentEmails, longConversationId: long!.id };
}

// ---- measuring -------------------------------------------------------------------------------------------

/** Signs one of the seed's agents in; resolves with the bearer token. */
export const login = (server: BenchServer, email: string) => agentLogin(server, email, PASSWORD);
const get = <T>(server: BenchServer, token: string, path: string) => apiGet<T>(server, token, path);

interface Row {
  label: string;
  detail: string;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One request at a time: a few warm-up calls, then `SAMPLES` timed ones. */
async function measure(label: string, detail: string, run: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const row = { label, detail, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1)! };
  console.log(`  ${label.padEnd(34)} ${fmt(row.p50)} ${fmt(row.p95)} ${fmt(row.p99)} ${fmt(row.max)}   ${detail}`);
  return row;
}

const fmt = (ms: number) => `${ms.toFixed(1)}`.padStart(8);

async function apiLatencies(server: BenchServer, token: string, seeded: Seeded): Promise<void> {
  console.log(`\nREST, one request at a time (${SAMPLES} samples each), ms:`);
  console.log(`  ${''.padEnd(34)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`);
  for (const view of INBOX_VIEWS) {
    const first = await get<InboxPage>(server, token, `/api/v1/inbox?view=${view}`);
    await measure(`inbox ${view}, first page`, `${first.rows.length} rows`, () => get(server, token, `/api/v1/inbox?view=${view}`));
    // Walk the keyset pages to the deepest within DEEP_PAGES.
    let cursor = first.nextCursor;
    let depth = 1;
    let deepCursor: string | null = null;
    while (cursor && depth < DEEP_PAGES) {
      deepCursor = cursor;
      const page: InboxPage = await get<InboxPage>(server, token, `/api/v1/inbox?view=${view}&cursor=${encodeURIComponent(cursor)}`);
      cursor = page.nextCursor;
      depth++;
    }
    if (deepCursor) {
      const path = `/api/v1/inbox?view=${view}&cursor=${encodeURIComponent(deepCursor)}`;
      await measure(`inbox ${view}, page ${depth}`, `rows ${(depth - 1) * 25 + 1}–${depth * 25}`, () => get(server, token, path));
    }
  }
  const counts = await get<{ counts: Record<InboxView | 'unread', number> }>(server, token, '/api/v1/inbox/counts');
  await measure('inbox counts', Object.entries(counts.counts).map(([k, v]) => `${k} ${v}`).join(', '), () => get(server, token, '/api/v1/inbox/counts'));

  const thread = `/api/v1/conversations/${seeded.longConversationId}/thread`;
  const newest = await get<ThreadPage>(server, token, thread);
  await measure(`thread of ${LONG}, newest page`, `${newest.messages.length} messages`, () => get(server, token, thread));
  const middle = `${thread}?beforeSeq=${Math.floor(LONG / 2)}`;
  await measure(`thread of ${LONG}, middle page`, `beforeSeq ${Math.floor(LONG / 2)}`, () => get(server, token, middle));

  const hash = `0x${md5hex('h7')}${md5hex('x7')}`;
  // A customer of the seed (the same formulas): their name's surname, an email fragment, their external id.
  const g = Math.min(1234, CONTACTS);
  const surname = seededSurname(g);
  const searches: [string, string][] = [
    ['common word', 'payment'],
    ['two words, prefix', 'refund ord'],
    ['rare word', 'zanzibar'],
    ['customer name fragment', surname.slice(0, -1)],
    ['customer email fragment', `${surname}${g}@`],
    ['external id', `user-${g}`],
    ['payment reference', 'bench-pay-777'],
    ['transaction hash', hash],
    ['transaction hash prefix', hash.slice(0, 12)],
    ['no match', 'qwxzv'],
  ];
  for (const [label, q] of searches) {
    const path = `/api/v1/search?q=${encodeURIComponent(q)}`;
    const r = await get<SearchResponse>(server, token, path);
    const by = (type: string) => r.hits.filter((h) => h.type === type).length;
    const detail = `"${q.length > 20 ? `${q.slice(0, 18)}…` : q}": ${by('message')} messages, ${by('contact')} contacts, ${by('payment')} payments${r.partial ? ' (PARTIAL)' : ''}`;
    await measure(`search: ${label}`, detail, () => get(server, token, path));
  }
}

/** The surname of the seed's customer g, lower case (the seed's formula). */
export function seededSurname(g = Math.min(1234, CONTACTS)): string {
  return LAST[Math.floor(g / FIRST.length) % LAST.length]!.toLowerCase();
}

function md5hex(s: string): string {
  // Node's crypto, the same digest as the seed's md5().
  return createHash('md5').update(s).digest('hex');
}
// ---- fan-out ---------------------------------------------------------------------------------------------

async function connectAgent(server: BenchServer, token: string): Promise<Socket> {
  const socket = io(server.url, { auth: { siteKey: server.siteKey, agentToken: token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

interface FanoutResult {
  agents: number;
  acked: number;
  ackP50: number;
  ackP99: number;
  lastP50: number;
  lastP99: number;
  delivered: string;
  cpuMsPerMessage: number;
  cpuPercent: number;
}

/** Customers (in conversations with a person, so the assistant stays out of it) send FANOUT messages at RATE/s. */
async function fanout(server: BenchServer, customers: { socket: Socket; conversationId: string }[], agentSockets: Socket[]): Promise<FanoutResult> {
  const pid = serverPid(server.pid!);
  const sentAt = new Map<string, number>();
  const receipts = new Map<string, number>();
  const lastLatency: number[] = [];
  const ackLatency: number[] = [];
  const onMessage = (m: { clientMessageId: string }) => {
    const t0 = sentAt.get(m.clientMessageId);
    if (t0 === undefined) return;
    const n = (receipts.get(m.clientMessageId) ?? 0) + 1;
    receipts.set(m.clientMessageId, n);
    if (n === agentSockets.length) lastLatency.push(performance.now() - t0);
  };
  for (const s of agentSockets) s.on('message-received', onMessage);
  await new Promise((r) => setTimeout(r, 1000)); // let the connections' own work settle
  const cpu0 = cpuSeconds(pid);
  const wall0 = performance.now();
  let acked = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < FANOUT; i++) {
    const due = wall0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { socket, conversationId } = customers[i % customers.length]!;
    const clientMessageId = randomUUID();
    const t0 = performance.now();
    sentAt.set(clientMessageId, t0);
    pending.push(
      socket
        .timeout(30_000)
        .emitWithAck('send-message', { conversationId, clientMessageId, text: `fan-out ${i}: is my payment through?` })
        .then((r: { ok: boolean }) => {
          if (r.ok) {
            acked++;
            ackLatency.push(performance.now() - t0);
          }
        }),
    );
  }
  await Promise.all(pending);
  const drain = performance.now();
  while (agentSockets.length && lastLatency.length < acked && performance.now() - drain < 15_000) await new Promise((r) => setTimeout(r, 20));
  // The coalesced row updates and counts that follow the last message (100 + 300 ms windows) belong to it too.
  await new Promise((r) => setTimeout(r, 1000));
  const wall = (performance.now() - wall0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  for (const s of agentSockets) s.off('message-received', onMessage);
  ackLatency.sort((a, b) => a - b);
  lastLatency.sort((a, b) => a - b);
  return {
    agents: agentSockets.length,
    acked,
    ackP50: percentile(ackLatency, 50),
    ackP99: percentile(ackLatency, 99),
    lastP50: percentile(lastLatency, 50),
    lastP99: percentile(lastLatency, 99),
    delivered: agentSockets.length ? `${lastLatency.length}/${acked} to all ${agentSockets.length}` : '–',
    cpuMsPerMessage: (cpu * 1000) / FANOUT,
    cpuPercent: (cpu / wall) * 100,
  };
}

async function fanoutBench(server: BenchServer, seeded: Seeded, tokens: string[]): Promise<void> {
  // Ten customers, each in a conversation an agent opened with them (mode human: no assistant answers).
  const customers: { socket: Socket; conversationId: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const externalId = `fan-${i}`;
    const res = await fetch(`${server.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[1 + (i % (tokens.length - 1))]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId, text: 'Hello from support, how can we help?' }),
    });
    if (res.status !== 201) throw new Error(`start conversation: ${res.status} ${await res.text()}`);
    const { conversation } = (await res.json()) as { conversation: { id: string; mode: string } };
    const socket = await connectCustomer(server, externalId, `Fan ${i}`);
    const r = await socket.timeout(30_000).emitWithAck('start-conversation', {});
    if (!r.ok || r.conversation.id !== conversation.id) throw new Error(`customer did not resume the agent's conversation: ${JSON.stringify(r)}`);
    customers.push({ socket, conversationId: conversation.id });
  }
  console.log(`\nFan-out: ${FANOUT} customer messages at ${RATE}/s from ${customers.length} customers (conversations with a person)`);
  const results: FanoutResult[] = [];
  results.push(await fanout(server, customers, []));
  const agentSockets: Socket[] = [];
  for (let i = 0; i < AGENTS; i++) agentSockets.push(await connectAgent(server, tokens[i]!));
  results.push(await fanout(server, customers, agentSockets));
  console.log(`  ${'agents online'.padEnd(14)} ${'ack p50/p99 ms'.padEnd(16)} ${'last agent p50/p99 ms'.padEnd(22)} ${'delivered'.padEnd(18)} ${'CPU ms/msg'.padEnd(11)} server CPU`);
  for (const r of results) {
    console.log(
      `  ${String(r.agents).padEnd(14)} ${`${r.ackP50.toFixed(1)} / ${r.ackP99.toFixed(1)}`.padEnd(16)} ${(r.agents ? `${r.lastP50.toFixed(1)} / ${r.lastP99.toFixed(1)}` : '–').padEnd(22)} ${r.delivered.padEnd(18)} ${r.cpuMsPerMessage.toFixed(2).padEnd(11)} ${r.cpuPercent.toFixed(0)} % of a core`,
    );
  }
  for (const s of agentSockets) s.close();
  for (const c of customers) c.socket.close();
  void seeded;
}

async function main() {
  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`bench:console on ${db}: ${MESSAGES} messages, ${CONVERSATIONS} conversations, ${CONTACTS} contacts, ${PAYMENTS} payments, ${AGENTS} agents`);
  let seeded: Seeded | undefined;
  const server = await startBenchServer({
    seed: async (prisma, workspaceId) => {
      seeded = await seed(prisma, workspaceId);
    },
  });
  try {
    const tokens: string[] = [];
    for (const email of seeded!.agentEmails) tokens.push(await login(server, email));
    await apiLatencies(server, tokens[0]!, seeded!);
    await fanoutBench(server, seeded!, tokens);
  } finally {
    await server.stop();
  }
}

// Run as a script (the seed is importable, e.g. to seed a database kept for EXPLAIN ANALYZE).
if (process.argv[1]?.endsWith('console.ts')) main().catch((err) => {
  console.error(err);
  process.exit(1);
});
