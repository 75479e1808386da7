// Shared pieces of the benchmark scripts: a server to measure (spawned, or one already running),
// its CPU use from /proc, and latency statistics.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../server/db/client.ts';
import { createServices } from '../server/services/index.ts';
import { REPO_ROOT } from '../server/paths.ts';

export const ORIGIN = 'https://bench.example';

export interface BenchServer {
  url: string;
  siteKey: string;
  secret: string;
  pid?: number;
  /** The fresh PostgreSQL database started for this run (startBenchServer with DATABASE_URL set). */
  database?: string;
  stop(): Promise<void>;
}

/**
 * Start a server for the benchmark: a fresh embedded database (or a fresh PostgreSQL database when
 * DATABASE_URL is set) with a workspace whose secret we know, rate limits raised so the load is measured
 * rather than refused.
 */
export async function startBenchServer(
  opts: { redisUrl?: string; seed?: (prisma: Database['prisma'], workspaceId: string) => Promise<void> } = {},
): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verychat-bench-'));
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const pg = await import('pg');
    const name = `verychat_bench_${Date.now()}`;
    const admin = new pg.default.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const c = new pg.default.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const db = await openDatabase({ databaseUrl, dataDir });
  await db.migrate();
  const ws = await createServices({ prisma: db.prisma }).workspaces.create({ name: 'Bench', allowedOrigins: [ORIGIN] });
  // Before the server opens the database (the embedded one takes a lock).
  await opts.seed?.(db.prisma, ws.id);
  await db.close();

  // The same bundle `npm start` runs (built by scripts/prepare.mjs).
  const child = spawnMeasured(['dist/server/main.mjs'], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MULTIPLIER: '1000',
    NODE_ENV: 'production',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : { REDIS_URL: '' }),
  });
  const url = (await readyUrl(child, /VeryChat is running at (\S+)/, 'server')).replace('localhost', '127.0.0.1');
  return {
    url,
    siteKey: ws.siteKey,
    secret: ws.secret,
    pid: child.pid,
    ...(databaseUrl && { database: new URL(databaseUrl).pathname.slice(1) }),
    async stop() {
      await stopChild(child);
      await dropDb?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A node process to measure, from the repository root; BENCH_NODE_ARGS adds flags (e.g. --cpu-prof). */
function spawnMeasured(args: string[], env: Record<string, string>): ChildProcess {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * The URL a child prints once it listens. Its output is read until then only (the last 64 KiB kept for the
 * error), then drained unread: a bench run's warnings must not pile up in this process.
 */
function readyUrl(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out = (out + d).slice(-64 * 1024);
      const m = pattern.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${out}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A process's CPU time so far (its threads included), from /proc, in seconds; null when unreadable. */
function procTimes(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by a process and its threads; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  const t = procTimes(pid);
  return t ? t.user + t.system : NaN;
}

/** Kernel CPU seconds used so far by a process and its threads; NaN when unreadable. */
export function kernelSeconds(pid: number): number {
  return procTimes(pid)?.system ?? NaN;
}

/**
 * CPU seconds used so far by the PostgreSQL backends of the run's own database (the server's pools, whatever
 * else shares this PostgreSQL); a backend that exited keeps its last reading. Null without one (PGlite, --url).
 */
export async function databaseCpuMeter(server: BenchServer): Promise<{ read(): Promise<number>; close(): Promise<void> } | null> {
  if (!server.database || !process.env.DATABASE_URL) return null;
  const pg = await import('pg');
  const admin = new pg.default.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  const known = new Map<number, number>();
  return {
    async read() {
      const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [server.database]);
      for (const { pid } of rows) {
        const c = cpuSeconds(pid);
        if (!Number.isNaN(c)) known.set(pid, c);
      }
      let total = 0;
      for (const c of known.values()) total += c;
      return total;
    },
    close: () => admin.end(),
  };
}

/** The server's own process: tsx runs node as a child, so measure the busiest descendant. */
export function serverPid(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? serverPid(Number(children[0])) : pid;
  } catch {
    return pid;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** A socket.io client connected as an identified customer (identity JWT signed like a merchant backend would). */
export async function connectCustomer(server: Pick<BenchServer, 'url' | 'siteKey' | 'secret'>, sub: string, name?: string): Promise<Socket> {
  const token = await new SignJWT(name ? { name } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(server.secret));
  const socket = io(server.url, {
    auth: { siteKey: server.siteKey, identityToken: token },
    transports: ['websocket'],
    extraHeaders: { origin: ORIGIN },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The server given with --url/--site-key/--secret[/--pid], or a fresh one started for this run. */
export async function benchServer(opts: { seed?: (prisma: Database['prisma'], workspaceId: string) => Promise<void> } = {}): Promise<BenchServer> {
  if (!process.argv.includes('--url')) return startBenchServer({ redisUrl: process.env.REDIS_URL, ...opts });
  const pid = Number(arg('pid', '0')) || undefined;
  return { url: arg('url', ''), siteKey: arg('site-key', ''), secret: arg('secret', ''), ...(pid && { pid }), stop: async () => {} };
}

/** Resident memory of a process in kB (VmRSS), NaN when unreadable. */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The bare Socket.io relay (bench/relay.ts) in its own process: one node process, measured like the server. */
export async function startRelay(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawnMeasured(['--import', 'tsx', 'bench/relay.ts'], { PORT: '0', NODE_ENV: 'production' });
  const url = await readyUrl(child, /relay listening at (\S+)/, 'relay');
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/** A socket.io client of the relay, connected as `user` (the relay's room is that user's conversation). */
export async function connectRelayClient(url: string, user: string): Promise<Socket> {
  const socket = io(url, { auth: { user }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** An error with a short code for the benches' error counts (HTTP_503, TIMEOUT, OVERLOADED, …). */
export class BenchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** With OVERLOADED or RATE_LIMITED: the server's retryAfterMs. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The code a bench counts a failure under. */
export function errorCode(err: unknown): string {
  if (err instanceof BenchError) return err.code;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'TIMEOUT';
  return 'NETWORK';
}

/** Signs an agent in (POST /api/v1/agent/login); resolves with the bearer token. */
export async function agentLogin(server: Pick<BenchServer, 'url' | 'siteKey'>, email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ siteKey: server.siteKey, email, password }),
  });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return body.token;
}

/** GET with the agent's bearer token; anything but 200 throws a BenchError HTTP_<status>. */
export async function apiGet<T>(server: Pick<BenchServer, 'url'>, token: string, path: string, timeoutMs = 30_000): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new BenchError(`HTTP_${res.status}`, `${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** start-conversation for a connected customer; resolves with the conversation's id. */
export async function startConversation(socket: Socket): Promise<string> {
  const r = await socket.timeout(10_000).emitWithAck('start-conversation', {});
  if (!r.ok) throw new Error(`start-conversation: ${JSON.stringify(r.error)}`);
  return r.conversation.id as string;
}

/**
 * One send-ai-query; resolves with the milliseconds from the emit to its `final` answer. Rejects with a
 * BenchError: the ack's error code (or NOT_ACCEPTED), AI_ERROR for an `error` event of this query, TIMEOUT
 * when the ack or the final takes longer than `timeoutMs`.
 */
export function askOnce(socket: Socket, conversationId: string, text: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let queryId: string | null = null;
    let settled = false;
    // Events that arrive before the ack (the answer can beat it): kept by query id until the ack names ours.
    const early = new Map<string, { at: number; error?: unknown }>();
    const timer = setTimeout(() => done(new BenchError('TIMEOUT', `no final within ${timeoutMs} ms`)), timeoutMs);
    const onResponse = (e: { queryId: string; type: string; error?: unknown }) => {
      if (e.type !== 'final' && e.type !== 'error') return;
      const seen = { at: performance.now(), ...(e.type === 'error' && { error: e.error ?? 'error' }) };
      if (queryId === null) early.set(e.queryId, seen);
      else if (e.queryId === queryId) settle(seen);
    };
    const settle = (seen: { at: number; error?: unknown }) => {
      if (seen.error !== undefined) done(new BenchError('AI_ERROR', `ai-response error: ${JSON.stringify(seen.error)}`));
      else done(null, seen.at - t0);
    };
    const done = (err: Error | null, ms = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('ai-response', onResponse);
      if (err) reject(err);
      else resolve(ms);
    };
    socket.on('ai-response', onResponse);
    socket
      .timeout(timeoutMs)
      .emitWithAck('send-ai-query', { conversationId, clientQueryId: randomUUID(), text, locale: 'en' })
      .then(
        (ack: { ok: boolean; queryId?: string; status?: string; error?: { code?: string; retryAfterMs?: number } }) => {
          if (!ack.ok || ack.status !== 'accepted') {
            return done(new BenchError(ack.error?.code ?? 'NOT_ACCEPTED', `send-ai-query: ${JSON.stringify(ack)}`, ack.error?.retryAfterMs));
          }
          queryId = ack.queryId!;
          const seen = early.get(queryId);
          early.clear();
          if (seen) settle(seen);
        },
        () => done(new BenchError('TIMEOUT', `send-ai-query: no ack within ${timeoutMs} ms`)),
      );
  });
}
