// PGlite in a worker thread. PGlite is Postgres compiled to WASM: every statement runs synchronously on
// the thread that owns the instance (often 0.5–2 ms, far more for a big query), so on the server's main
// thread it stalled socket handling. Here the instance lives in ./pglite-worker-entry.ts and this class
// is a drop-in for the parts of the PGlite API the project uses (pglite-prisma-adapter, the migration
// runner, client.ts): query, sql, exec, transaction, closed, close.
//
// Queueing: nothing is queued here. Requests go to the worker in call order and the worker calls the
// real PGlite methods as each message arrives, so PGlite's own two mutexes order them exactly as they
// would in-thread: FIFO, one statement at a time, and everything outside an open transaction waits for
// it (a transaction is a real `db.transaction()` in the worker, held open until we send its outcome).
//
// Parsers: `options.parsers` holds functions, which cannot cross threads. The worker runs the query with
// an identity parser for each of those type oids and PGlite's own parsers for the others (including the
// array parsers it builds from pg_type at startup), so custom-typed values arrive as Postgres sent them
// and the caller's parser runs here on them: the same values as in-thread PGlite.
//
// Errors: rebuilt as the same classes with the same fields; DatabaseError is pglite's own
// (`messages.DatabaseError`), so `instanceof` checks and `code` (23505, …) keep working upstream.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { messages, type PGlite, type QueryOptions, type Results, type RowMode, type Transaction } from '@electric-sql/pglite';
import { query as templateQuery } from '@electric-sql/pglite/template';

/** What the project uses of a PGlite instance: both PGlite and PGliteWorkerClient provide it. */
export type PGliteLike = Pick<PGlite, 'query' | 'sql' | 'exec' | 'transaction' | 'refreshArrayTypes' | 'close' | 'closed'>;

// --- The protocol shared with ./pglite-worker-entry.ts ------------------------------------------

export interface PGliteWorkerData {
  dataDir: string;
}

/** QueryOptions without functions: `raw` lists the type oids the worker must leave unparsed. */
export interface WireQueryOptions {
  rowMode?: RowMode;
  paramTypes?: number[];
  raw?: number[];
}

export type PGliteWorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] | undefined; options: WireQueryOptions | undefined; tx: number | undefined }
  | { id: number; op: 'exec'; sql: string; options: WireQueryOptions | undefined; tx: number | undefined }
  | { id: number; op: 'begin' }
  | { id: number; op: 'refreshArrayTypes' }
  | { id: number; op: 'rollback'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** Id 0 answers the start (PGlite.create) of the worker. */
export type PGliteWorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  /** Was a pglite `messages.DatabaseError`. */
  database: boolean;
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties that could be cloned (code, detail, constraint, table, …). */
  fields: Record<string, unknown>;
}

// --- Main-thread side -----------------------------------------------------------------------------

/** Starts the worker and opens (creating if needed) the PGlite database in `pgdataDir`. */
export async function openPgliteWorker(pgdataDir: string): Promise<PGliteWorkerClient> {
  const client = new PGliteWorkerClient(pgdataDir);
  try {
    await client.ready;
  } catch (e) {
    await client.close().catch(() => {});
    throw e;
  }
  return client;
}

type Pending = { resolve(value: unknown): void; reject(error: unknown): void };
type Request = PGliteWorkerRequest extends infer R ? (R extends PGliteWorkerRequest ? Omit<R, 'id'> : never) : never;

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

export class PGliteWorkerClient implements PGliteLike {
  readonly dataDir: string;
  /** Settles once PGlite opened in the worker (openPgliteWorker awaits it). */
  readonly ready: Promise<void>;
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #closing: Promise<void> | undefined;
  #closed = false;
  /** Set when the worker died on its own: every later call fails with it. */
  #crash: Error | undefined;
  #crashCause: unknown;
  #terminating = false;
  /** Exited or being terminated: nothing sent now would be answered. */
  #stopped = false;
  /** Identity parsers are per type list: remember each parsers object's list (Prisma passes the same one every time). */
  #rawTypes = new WeakMap<object, number[]>();

  constructor(pgdataDir: string) {
    this.dataDir = pgdataDir;
    const data: PGliteWorkerData = { dataDir: pgdataDir };
    this.#worker = new Worker(workerEntry(), { workerData: data });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#track(0, { resolve: () => resolve(), reject });
    });
    this.ready.catch(() => {}); // openPgliteWorker reports it
    this.#worker.on('message', (reply: PGliteWorkerReply) => this.#onReply(reply));
    // An uncaught exception ends the worker; 'exit' follows and fails what was pending.
    this.#worker.on('error', (e) => {
      this.#crashCause ??= e;
    });
    this.#worker.on('messageerror', (e) => {
      // A reply that cannot be deserialized cannot be matched to its request either.
      this.#crashCause ??= e;
      void this.#worker.terminate();
    });
    this.#worker.on('exit', (code) => this.#onExit(code));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async query<T>(query: string, params?: any[], options?: QueryOptions): Promise<Results<T>> {
    return this._query<T>(undefined, query, params, options);
  }

  async sql<T>(strings: TemplateStringsArray, ...values: any[]): Promise<Results<T>> {
    const { query, params } = templateQuery(strings, ...values);
    return this._query<T>(undefined, query, params);
  }

  async exec(query: string, options?: QueryOptions): Promise<Array<Results>> {
    return this._exec(undefined, query, options);
  }

  /**
   * PGlite's semantics: BEGIN, the callback, COMMIT if it resolved (and did not roll back), ROLLBACK if it
   * threw; other queries wait meanwhile. The worker keeps the real transaction open until `end`.
   */
  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const txId = (await this.#request({ op: 'begin' })) as number;
    const tx = new WorkerTransaction(this, txId);
    let result: T;
    try {
      result = await callback(tx);
    } catch (e) {
      tx._markClosed();
      // A failing ROLLBACK replaces the callback's error, as in PGlite.
      await this.#request({ op: 'end', tx: txId, commit: false });
      throw e;
    }
    tx._markClosed();
    await this.#request({ op: 'end', tx: txId, commit: true });
    return result;
  }

  /** PGlite's: reads the array types again (after migrations created types it started without). */
  async refreshArrayTypes(): Promise<void> {
    this.#checkOpen();
    await this.#request({ op: 'refreshArrayTypes' });
  }

  /** Closes PGlite cleanly in the worker, then ends the worker. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (!this.#crash) await this.#request({ op: 'close' });
      } finally {
        this.#closed = true;
        this.#terminating = true;
        this.#stopped = true;
        // Requests that were waiting behind the close (e.g. for a transaction) will not run.
        this.#rejectAll(() => this.#closedError());
        await this.#worker.terminate();
      }
    })();
    return this.#closing;
  }

  // Used by WorkerTransaction too.
  async _query<T>(tx: number | undefined, query: string, params: any[] | undefined, options?: QueryOptions): Promise<Results<T>> {
    this.#checkOpen();
    const wire = this.#wireOptions(options);
    let result: Results<T>;
    try {
      result = (await this.#request({ op: 'query', sql: query, params, options: wire, tx })) as Results<T>;
    } catch (e) {
      throw restoreQueryContext(e, params, options);
    }
    if (options?.parsers) applyParsers(result, options.parsers, options.rowMode);
    return result;
  }

  async _exec(tx: number | undefined, query: string, options?: QueryOptions): Promise<Array<Results>> {
    this.#checkOpen();
    const wire = this.#wireOptions(options);
    let results: Array<Results>;
    try {
      results = (await this.#request({ op: 'exec', sql: query, options: wire, tx })) as Array<Results>;
    } catch (e) {
      throw restoreQueryContext(e, undefined, options);
    }
    if (options?.parsers) for (const r of results) applyParsers(r, options.parsers, options.rowMode);
    return results;
  }

  async _rollback(tx: number): Promise<void> {
    this.#checkOpen();
    await this.#request({ op: 'rollback', tx });
  }

  #checkOpen(): void {
    // PGlite's own messages.
    if (this.#crash || this.#closed) throw this.#closedError();
    if (this.#closing) throw new Error('PGlite is closing');
  }

  /** What a call gets once the worker is gone: PGlite's message, with the crash that stopped it if one did. */
  #closedError(): Error {
    return this.#crash ? new Error(`PGlite is closed: ${this.#crash.message}`, { cause: this.#crash }) : new Error('PGlite is closed');
  }

  #wireOptions(options: QueryOptions | undefined): WireQueryOptions | undefined {
    if (!options) return undefined;
    if (options.serializers || options.onNotice || options.blob) {
      throw new TypeError('PGlite worker: the serializers, onNotice and blob query options cannot cross to the worker thread');
    }
    const wire: WireQueryOptions = {};
    if (options.rowMode) wire.rowMode = options.rowMode;
    if (options.paramTypes) wire.paramTypes = options.paramTypes;
    if (options.parsers) {
      let raw = this.#rawTypes.get(options.parsers);
      if (!raw) {
        raw = Object.keys(options.parsers)
          .map(Number)
          .filter((oid) => Number.isInteger(oid));
        this.#rawTypes.set(options.parsers, raw);
      }
      if (raw.length > 0) wire.raw = raw;
    }
    return wire;
  }

  #request(request: Request): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // A stopped worker drops messages: fail now rather than never (e.g. a transaction's end after a crash).
      if (this.#stopped) {
        reject(this.#closedError());
        return;
      }
      const id = this.#nextId++;
      const message = { ...request, id } as PGliteWorkerRequest;
      try {
        this.#worker.postMessage(message);
      } catch (e) {
        // DataCloneError: a parameter that cannot be copied to the worker (a function, a symbol…).
        reject(e);
        return;
      }
      this.#track(id, { resolve, reject });
    });
  }

  #track(id: number, pending: Pending): void {
    this.#pending.set(id, pending);
    // Keep the process alive while a request is out, as an in-thread query would; an idle worker must not.
    if (this.#pending.size === 1) this.#worker.ref();
  }

  #onReply(reply: PGliteWorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(reviveError(reply.error));
  }

  #onExit(code: number): void {
    this.#closed = true;
    this.#stopped = true;
    if (this.#terminating) return;
    const cause = this.#crashCause;
    const reason = cause instanceof Error ? cause.message : `exit code ${code}`;
    this.#crash = new Error(`The PGlite worker stopped unexpectedly (${reason})`, { cause });
    this.#rejectAll(() => this.#closedError());
  }

  #rejectAll(error: () => Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#worker.unref();
    for (const p of pending) p.reject(error());
  }
}

/** `tx` of PGliteWorkerClient.transaction: the statements run inside the worker's open transaction. */
class WorkerTransaction implements Transaction {
  #closed = false;

  constructor(
    private readonly client: PGliteWorkerClient,
    private readonly id: number,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  async query<T>(query: string, params?: any[], options?: QueryOptions): Promise<Results<T>> {
    this.#checkClosed();
    return this.client._query<T>(this.id, query, params, options);
  }

  async sql<T>(strings: TemplateStringsArray, ...values: any[]): Promise<Results<T>> {
    this.#checkClosed();
    const { query, params } = templateQuery(strings, ...values);
    return this.client._query<T>(this.id, query, params);
  }

  async exec(query: string, options?: QueryOptions): Promise<Array<Results>> {
    this.#checkClosed();
    return this.client._exec(this.id, query, options);
  }

  /** Sent before this returns its promise, so it reaches the worker ahead of a commit that follows unawaited
   * (pglite-prisma-adapter does that); the worker then skips the COMMIT, as PGlite does. */
  async rollback(): Promise<void> {
    this.#checkClosed();
    await this.client._rollback(this.id);
    this.#closed = true;
  }

  async listen(): Promise<never> {
    // Notifications would need a channel back from the worker; nothing in the project listens.
    throw new Error('PGlite worker: LISTEN is not supported');
  }

  _markClosed(): void {
    this.#closed = true;
  }

  #checkClosed(): void {
    if (this.#closed) throw new Error('Transaction is closed');
  }
}

/** Runs the caller's parsers on the values the worker left unparsed (see WireQueryOptions.raw). */
function applyParsers(result: Results<any>, parsers: NonNullable<QueryOptions['parsers']>, rowMode: RowMode | undefined): void {
  const fields = result.fields;
  const plan: { key: number | string; oid: number; parse: (value: string, oid: number) => unknown }[] = [];
  for (let i = 0; i < fields.length; i++) {
    const { name, dataTypeID } = fields[i]!;
    const parse = parsers[dataTypeID] as ((value: string, oid: number) => unknown) | undefined;
    if (!parse) continue;
    if (rowMode === 'array') {
      plan.push({ key: i, oid: dataTypeID, parse });
    } else if (fields.findLastIndex((f) => f.name === name) === i) {
      // Object rows keep the last of same-named columns (Object.fromEntries): parse that one only.
      plan.push({ key: name, oid: dataTypeID, parse });
    }
  }
  if (plan.length === 0) return;
  for (const row of result.rows as Record<number | string, unknown>[]) {
    for (const { key, oid, parse } of plan) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parse(value as string, oid);
    }
  }
}

/** A query's DatabaseError carries the caller's own params and options in PGlite (makePGliteError). */
function restoreQueryContext(e: unknown, params: unknown[] | undefined, options: QueryOptions | undefined): unknown {
  if (e instanceof messages.DatabaseError && Object.hasOwn(e, 'query')) {
    Object.assign(e, { params, queryOptions: options });
  }
  return e;
}

export function reviveError(s: SerializedError): Error {
  let error: Error;
  if (s.database) {
    const { length, name, ...rest } = s.fields;
    error = new messages.DatabaseError(s.message, Number(length ?? 0), (name ?? 'error') as messages.MessageName);
    Object.assign(error, rest);
  } else {
    const Ctor = STANDARD_ERRORS[s.name] ?? Error;
    error = new Ctor(s.message);
    if (error.name !== s.name) Object.defineProperty(error, 'name', { value: s.name, configurable: true, writable: true });
    Object.assign(error, s.fields);
  }
  // Where it failed (PGlite's internals): as informative as an in-thread error's stack.
  if (s.stack) error.stack = s.stack;
  return error;
}

/**
 * The worker's module. Bundled (scripts/prepare.mjs): dist/server/db/pglite-worker-entry.mjs, from
 * main.mjs in dist/server or the CLI bundles in dist/server/cli. From sources (vitest, tsx): the .ts
 * entry through tsx's loader, registered inside the worker by a tiny bootstrap (Node 20 ignores
 * `--import tsx` in a worker's execArgv).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    const entry = new URL('./pglite-worker-entry.ts', here).href;
    const code = `import { register } from ${JSON.stringify(tsxApiUrl())};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  const candidates = ['./db/pglite-worker-entry.mjs', '../db/pglite-worker-entry.mjs'].map((p) => new URL(p, here));
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (!found) {
    throw new Error(
      `The PGlite worker bundle is missing (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')}): run \`node scripts/prepare.mjs\``,
    );
  }
  return found;
}

/** tsx's ESM `register()` (the "import" condition of its `./esm/api` export; require() would pick the CJS one). */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(resolve(dirname(packageJson), pkg.exports['./esm/api']!.import.default)).href;
}
