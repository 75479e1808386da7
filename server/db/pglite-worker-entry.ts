// The worker thread that owns the PGlite instance (see ./pglite-worker.ts for the design): it serves
// the main thread's requests by id and answers each with its result or a serialized error.
import { parentPort, workerData } from 'node:worker_threads';
import { messages, PGlite, type ParserOptions, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import type {
  PGliteWorkerData,
  PGliteWorkerReply,
  PGliteWorkerRequest,
  SerializedError,
  WireQueryOptions,
} from './pglite-worker.ts';

const port = parentPort;
if (!port) throw new Error('pglite-worker-entry runs as a worker thread (see ./pglite-worker.ts)');
const { dataDir } = workerData as PGliteWorkerData;

/** A transaction held open until the main thread sends its outcome (`end`). */
interface OpenTransaction {
  tx: Transaction;
  decide(commit: boolean): void;
  /** The `db.transaction()` call: settles after COMMIT or ROLLBACK. */
  done: Promise<unknown>;
  rollingBack: Promise<void> | undefined;
}

/** Thrown out of the transaction callback to make PGlite roll back; not an error for the caller. */
const ROLLBACK = Symbol('rollback');

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;
let closing = false;

// Listen at once (requests may come before PGlite is up) and answer them once it is.
const opening = PGlite.create(dataDir);
opening.then(
  () => reply({ id: 0, ok: true, value: null }),
  (e: unknown) => reply({ id: 0, ok: false, error: serializeError(e) }),
);
port.on('message', (request: PGliteWorkerRequest) => void serve(request));

async function serve(request: PGliteWorkerRequest): Promise<void> {
  let answer: PGliteWorkerReply;
  try {
    answer = { id: request.id, ok: true, value: await run(request) };
  } catch (e) {
    answer = { id: request.id, ok: false, error: serializeError(e) };
  }
  reply(answer);
}

function reply(answer: PGliteWorkerReply): void {
  try {
    port!.postMessage(answer);
  } catch (e) {
    // A result that cannot be cloned: still answer, or the caller would wait forever.
    port!.postMessage({ id: answer.id, ok: false, error: serializeError(e) } satisfies PGliteWorkerReply);
  }
}

async function run(request: PGliteWorkerRequest): Promise<unknown> {
  if (request.op === 'close') {
    closing = true;
    const db = await opening.catch(() => undefined);
    // Between two statements (the query mutex), so none is cut in half; an open transaction is aborted.
    if (db && !db.closed) await db.runExclusive(() => db.close());
    return null;
  }
  const db = await opening;
  if (closing) throw new Error('PGlite is closing');
  switch (request.op) {
    case 'query':
      return target(db, request.tx).query(request.sql, request.params, queryOptions(request.options));
    case 'exec':
      return target(db, request.tx).exec(request.sql, queryOptions(request.options));
    case 'begin':
      return begin(db);
    case 'refreshArrayTypes':
      return db.refreshArrayTypes().then(() => null);
    case 'rollback': {
      const open = openTransaction(request.tx);
      open.rollingBack = open.tx.rollback();
      return open.rollingBack;
    }
    case 'end': {
      const open = openTransaction(request.tx);
      // A rollback sent just before (not awaited by the caller) must finish first, so COMMIT is skipped.
      await open.rollingBack?.catch(() => {});
      open.decide(request.commit);
      try {
        await open.done;
      } catch (e) {
        if (e !== ROLLBACK) throw e;
      }
      return null;
    }
  }
}

function target(db: PGlite, tx: number | undefined): PGlite | Transaction {
  return tx === undefined ? db : openTransaction(tx).tx;
}

function openTransaction(id: number): OpenTransaction {
  const open = transactions.get(id);
  // PGlite's message for a transaction used after its end.
  if (!open) throw new Error('Transaction is closed');
  return open;
}

/** Resolves with the transaction's id once BEGIN ran; the transaction then waits for `end`. */
function begin(db: PGlite): Promise<number> {
  return new Promise((resolve, reject) => {
    let begun = false;
    const holder: { done?: Promise<unknown> } = {};
    holder.done = db.transaction(async (tx) => {
      const id = nextTransaction++;
      let decide!: (commit: boolean) => void;
      const decided = new Promise<boolean>((r) => (decide = r));
      transactions.set(id, { tx, decide, done: holder.done!, rollingBack: undefined });
      begun = true;
      resolve(id);
      try {
        if (!(await decided)) throw ROLLBACK;
      } finally {
        transactions.delete(id);
      }
    });
    // Before BEGIN the failure is begin's; after, `end` reports it.
    holder.done.catch((e: unknown) => {
      if (!begun) reject(e);
    });
  });
}

const identityParsers = new Map<string, ParserOptions>();

/** The main thread parses the `raw` types itself with the caller's functions: leave them as sent. */
function queryOptions(wire: WireQueryOptions | undefined): QueryOptions | undefined {
  if (!wire) return undefined;
  const options: QueryOptions = {};
  if (wire.rowMode) options.rowMode = wire.rowMode;
  if (wire.paramTypes) options.paramTypes = wire.paramTypes;
  if (wire.raw) {
    const key = wire.raw.join(',');
    let parsers = identityParsers.get(key);
    if (!parsers) {
      parsers = {};
      for (const oid of wire.raw) parsers[oid] = (value: string) => value;
      identityParsers.set(key, parsers);
    }
    options.parsers = parsers;
  }
  return options;
}

function serializeError(e: unknown): SerializedError {
  if (typeof e !== 'object' || e === null) {
    return { database: false, name: 'Error', message: String(e), stack: undefined, fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) {
    // queryOptions holds our parser functions; the main side puts the caller's options back.
    if (key === 'queryOptions') continue;
    if (cloneable(value)) fields[key] = value;
  }
  const { name, message, stack } = e as { name?: unknown; message?: unknown; stack?: unknown };
  return {
    database: e instanceof messages.DatabaseError,
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(e),
    stack: typeof stack === 'string' ? stack : undefined,
    fields,
  };
}

function cloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
