// The admin channel: how `npm run verychat -- …` works while a server runs on the embedded database.
// PGlite allows one process per data directory, and the server holds it. So the server listens on a
// loopback TCP port and runs admin command lines itself, with its own services (its caches learn of each
// change at once); the CLI, finding the directory locked by a live server, sends its command line there.
//
// Discovery and authentication: DATA_DIR/admin.json ({ pid, port, token }, mode 0600) is written by the
// server once it listens. Only someone who can read DATA_DIR (and so the database files themselves) can read
// the token; any other connection is refused. Loopback TCP rather than a Unix socket, because socket paths are
// limited to ~100 bytes and DATA_DIR may be deeper than that.
//
// Wire: one connection per command, newline-delimited JSON. CLI → server: one request line
// { token, argv }. Server → CLI: { out } / { err } lines as the command writes them, then { exit }.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { AdminIO } from './admin-commands.ts';

const INFO_FILE = 'admin.json';
/** A request is one short command line; anything longer is not ours. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** A connection that sends no complete request in this time is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Admin use is one person at a terminal (or a script): a few at once is plenty. */
const MAX_CONNECTIONS = 8;

const ChannelInfo = z.object({ pid: z.number().int().positive(), port: z.number().int().min(1).max(65535), token: z.string().min(32).max(128) });
type ChannelInfo = z.infer<typeof ChannelInfo>;

const Request = z.object({ token: z.string().max(128), argv: z.array(z.string().max(4096)).max(64) }).strict();

const Reply = z.union([
  z.object({ out: z.string() }).strict(),
  z.object({ err: z.string() }).strict(),
  z.object({ exit: z.number().int().min(0).max(255) }).strict(),
]);

export interface AdminChannel {
  readonly port: number;
  /** Stops listening and removes admin.json. Idempotent. */
  close(): Promise<void>;
}

export interface AdminChannelOptions {
  dataDir: string;
  /** Runs one command line, writing to io; answers its exit code. */
  run(argv: string[], io: AdminIO): Promise<number>;
  log: Logger;
}

export async function startAdminChannel(opts: AdminChannelOptions): Promise<AdminChannel> {
  const token = randomBytes(32).toString('base64url');
  const infoPath = join(resolve(opts.dataDir), INFO_FILE);
  const server = createServer((socket) => serve(socket, token, opts));
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', fail);
      done();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const info: ChannelInfo = { pid: process.pid, port, token };
  // Written aside and renamed, so a reader never sees half a file; 0600 before the token is in it.
  const tmp = `${infoPath}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
    renameSync(tmp, infoPath);
  } catch (err) {
    server.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((done) => {
        if (readInfo(opts.dataDir)?.token === token) removeQuietly(infoPath);
        server.close(() => done());
      });
      return closing;
    },
  };
}

function serve(socket: Socket, token: string, opts: AdminChannelOptions): void {
  let buffered = '';
  let started = false;
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    if (!started) socket.destroy();
  });
  socket.on('error', () => {}); // the CLI went away; nothing to tell it
  const send = (reply: z.infer<typeof Reply>) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  socket.on('data', (chunk: string) => {
    if (started) return;
    buffered += chunk;
    const newline = buffered.indexOf('\n');
    if (newline === -1) {
      if (buffered.length > MAX_REQUEST_BYTES) socket.destroy();
      return;
    }
    started = true;
    const request = parseLine(Request, buffered.slice(0, newline));
    if (!request || !sameToken(request.token, token)) {
      opts.log.warn('admin channel: refused a connection without the token from admin.json');
      send({ err: 'Error (AUTH_INVALID): the admin channel refused this request (admin.json token).' });
      send({ exit: 1 });
      socket.end();
      return;
    }
    const command = request.argv[0] ?? 'help';
    // The command name only: arguments may hold passwords.
    void opts.run(request.argv, { out: (out) => send({ out }), err: (err) => send({ err }) }).then(
      (exit) => {
        opts.log.info({ command, exit }, 'admin command');
        send({ exit });
        socket.end();
      },
      (err: unknown) => {
        opts.log.error({ err, command }, 'admin command failed');
        send({ err: 'Error (INTERNAL): the server could not run the command; see its log.' });
        send({ exit: 1 });
        socket.end();
      },
    );
  });
}

/** One JSON line checked against its schema; null for anything else. */
function parseLine<T>(schema: z.ZodType<T>, line: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Constant-time comparison of strings of any length (hashed to one length first). */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The running server's channel, as its admin.json describes it; null when absent or unreadable. */
export function readInfo(dataDir: string): ChannelInfo | null {
  let text: string;
  try {
    text = readFileSync(join(resolve(dataDir), INFO_FILE), 'utf8');
  } catch {
    return null;
  }
  return parseLine(ChannelInfo, text);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The channel could not be reached: the server stopped meanwhile (retry on the database) or never answered. */
export class ChannelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelUnavailableError';
  }
}

/**
 * Sends one command line to the server whose admin.json is `info`, relaying its output to `io`, and answers
 * the command's exit code. ChannelUnavailableError when nothing answers on the port.
 */
export function callAdminChannel(info: ChannelInfo, argv: string[], io: AdminIO): Promise<number> {
  return new Promise<number>((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port: info.port });
    let buffered = '';
    let answered = false;
    let exit: number | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      answered = true;
      socket.write(`${JSON.stringify({ token: info.token, argv })}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const reply = parseLine(Reply, line);
        if (!reply) continue;
        if ('out' in reply) io.out(reply.out);
        else if ('err' in reply) io.err(reply.err);
        else exit = reply.exit;
      }
    });
    socket.on('error', (err) => {
      if (!answered) fail(new ChannelUnavailableError(`nothing answers on 127.0.0.1:${info.port} (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    });
    socket.on('close', () => {
      if (!answered) return; // 'error' settled it
      if (exit === undefined) fail(new Error('The server closed the admin channel before the command finished (was it stopped?).'));
      else done(exit);
    });
  });
}
