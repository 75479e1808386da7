// PGlite in a worker thread (./pglite-worker.ts) against PGlite on this thread: the same results, errors
// and transaction semantics, and the main thread's event loop keeps running while a query does.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { messages, PGlite, types, type ParserOptions } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPgliteWorker, type PGliteWorkerClient } from './pglite-worker.ts';

// The workers this file starts, to kill one as a crash would.
const workers = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      workers.push(this);
    }
  }
  return { ...actual, Worker: TrackedWorker };
});

let dir: string;
let pgdata: string;
let worker: PGliteWorkerClient;
/** The reference: PGlite as the server ran it before, on the calling thread. */
let local: PGlite;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'verychat-pglite-worker-'));
  pgdata = join(dir, 'pgdata');
  [worker, local] = await Promise.all([openPgliteWorker(pgdata), PGlite.create('memory://')]);
  const schema = `CREATE TABLE item (id int4 PRIMARY KEY, name text UNIQUE, n int4 NOT NULL DEFAULT 0);
                  CREATE TABLE counter (id int4 PRIMARY KEY, n int4 NOT NULL); INSERT INTO counter VALUES (1, 0);`;
  await worker.exec(schema);
  await local.exec(schema);
});

afterAll(async () => {
  await worker?.close();
  await local?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const TYPES_SQL = `SELECT
  1::int4 AS i4, 42::int8 AS i8, 9007199254740993::int8 AS i8big, 12.3450::numeric AS num, 1.5::float8 AS f8,
  true AS b, 'héllo "x"'::text AS t, 'v'::varchar AS vc,
  '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'::uuid AS u, '{"a":[1,2.5],"b":null,"c":"é"}'::jsonb AS j, '[1]'::json AS js,
  '2024-02-29 12:34:56.789+02'::timestamptz AS tstz, '2024-02-29 12:34:56'::timestamp AS ts, '2024-02-29'::date AS d,
  '12:00:01'::time AS tm, '1 day 2 hours'::interval AS iv, '\\xdeadbeef'::bytea AS by,
  ARRAY[1, 2, NULL]::int4[] AS i4a, ARRAY[9007199254740993, 1]::int8[] AS i8a, ARRAY['a', 'b"c', 'd,e', NULL]::text[] AS ta,
  ARRAY['{"x":1}', '[2]']::jsonb[] AS ja, ARRAY[1.50, 2]::numeric[] AS numa, ARRAY['2024-01-01 00:00:00+00']::timestamptz[] AS tstza,
  ARRAY[true, false, NULL]::bool[] AS ba, ARRAY['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0']::uuid[] AS ua,
  ARRAY[ARRAY[1, 2], ARRAY[3, 4]]::int4[] AS nested,
  NULL::int4 AS n_i4, NULL::text AS n_t, NULL::jsonb AS n_j, NULL::timestamptz AS n_ts, NULL::int4[] AS n_a`;

/** Like pglite-prisma-adapter's: some custom scalar and array parsers, one that uses the oid argument. */
const parsers: ParserOptions = {
  [types.NUMERIC]: (x) => `numeric:${x}`,
  [types.INT8]: (x) => x,
  [types.TIMESTAMPTZ]: ((x: string, oid: number) => `${oid}:${x}`) as (x: string) => unknown,
  [types.JSONB]: (x) => x,
  1231: (x) => `numeric[]:${x}`,
  3807: (x) => `jsonb[]:${x}`,
};

describe('results', () => {
  it('are those of in-thread PGlite for many types, as objects and as arrays, with and without custom parsers', async () => {
    for (const options of [undefined, { rowMode: 'array' as const }, { parsers }, { rowMode: 'array' as const, parsers }]) {
      const mine = await worker.query(TYPES_SQL, [], options);
      const theirs = await local.query(TYPES_SQL, [], options);
      expect(mine).toEqual(theirs);
    }
    // A sample of what that means, so an equal but wrong pair would show.
    const { rows } = await worker.query<Record<string, unknown>>(TYPES_SQL);
    expect(rows[0]).toMatchObject({ i8: 42, i8big: 9007199254740993n, b: true, j: { a: [1, 2.5], b: null, c: 'é' } });
    expect(rows[0]!.tstz).toEqual(new Date('2024-02-29T10:34:56.789Z'));
    expect(rows[0]!.by).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    const custom = (await worker.query<unknown[]>(TYPES_SQL, [], { rowMode: 'array', parsers })).rows[0]!;
    expect(custom.slice(0, 4)).toEqual([1, '42', '9007199254740993', 'numeric:12.3450']);
    expect(custom).toContain('1184:2024-02-29 10:34:56.789+00');
    expect(custom).toContain('jsonb[]:{"{\\"x\\": 1}",[2]}');
  });

  it('have the same fields and affectedRows, and exec returns every statement', async () => {
    const script = `INSERT INTO item (id, name) VALUES (100, 'a'), (101, 'b');
                    UPDATE item SET n = n + 1 WHERE id >= 100;
                    SELECT id, name, n FROM item WHERE id >= 100 ORDER BY id;
                    DELETE FROM item WHERE id >= 100`;
    const mine = await worker.exec(script);
    const theirs = await local.exec(script);
    expect(mine).toEqual(theirs);
    expect(mine.map((r) => r.affectedRows)).toEqual([2, 4, 4, 6]);
    expect(mine[2]!.fields).toEqual([
      { name: 'id', dataTypeID: 23 },
      { name: 'name', dataTypeID: 25 },
      { name: 'n', dataTypeID: 23 },
    ]);
    const insert = 'INSERT INTO item (id, name) VALUES ($1, $2), ($3, $4)';
    expect(await worker.query(insert, [110, 'x', 111, 'y'])).toEqual(await local.query(insert, [110, 'x', 111, 'y']));
    const del = 'DELETE FROM item WHERE id IN (110, 111)';
    expect(await worker.query(del)).toEqual({ rows: [], fields: [], affectedRows: 2 });
    await local.query(del);
  });

  it('take array parameters (uuid[], bool[], text[], jsonb[] from JSON strings, int4[]) as in-thread PGlite does', async () => {
    const sql = `SELECT $1::uuid[] AS u, $2::bool[] AS b, $3::text[] AS t, $4::jsonb[] AS j, 2 = ANY($5::int4[]) AS has2,
                        cardinality($6::text[]) AS empty, $7::jsonb AS obj, $8::bytea AS by, $9::timestamptz AS d, $10::int8 AS big,
                        $2::bool[] IS NOT DISTINCT FROM ARRAY[true, false, NULL] AS b_sent,
                        $3::text[] IS NOT DISTINCT FROM ARRAY['plain', 'with "quotes"', 'comma,here', E'back\\\\slash', '{braces}', NULL, ''] AS t_sent`;
    const params = [
      ['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
      [true, false, null],
      ['plain', 'with "quotes"', 'comma,here', 'back\\slash', '{braces}', null, ''],
      ['{"a":1}', '"s"', 'null', '[1,{"b":[]}]'],
      [1, 2, 3],
      [],
      { nested: { x: [1, 'two'] } },
      new Uint8Array([1, 2, 255]),
      new Date('2024-05-06T07:08:09.010Z'),
      1234567890123456789n,
    ];
    const mine = await worker.query(sql, params);
    expect(mine).toEqual(await local.query(sql, params));
    // (PGlite reads a NULL element of bool[] back as false, on either thread: its array parser's, not ours.)
    expect(mine.rows[0]).toMatchObject({ b_sent: true, t_sent: true, has2: true, empty: 0, obj: { nested: { x: [1, 'two'] } } });
    expect((mine.rows[0] as { j: unknown }).j).toEqual([{ a: 1 }, 's', null, [1, { b: [] }]]);
  });

  it('go through pglite-prisma-adapter as they do in-thread', async () => {
    const mine = await new PrismaPGlite(worker as unknown as PGlite).connect();
    const theirs = await new PrismaPGlite(local).connect();
    const query = { sql: TYPES_SQL.replace(/, '1 day 2 hours'::interval AS iv/, ''), args: [], argTypes: [] };
    expect(await mine.queryRaw(query)).toEqual(await theirs.queryRaw(query));
  });
});

describe('errors', () => {
  it('a unique violation is a pglite DatabaseError with the same fields as in-thread', async () => {
    const insert = 'INSERT INTO item (id, name) VALUES ($1, $2)';
    await worker.query(insert, [1, 'one']);
    await local.query(insert, [1, 'one']);
    const params = [2, 'one'];
    const mine = await worker.query(insert, params).catch((e: unknown) => e);
    const theirs = await local.query(insert, [2, 'one']).catch((e: unknown) => e);
    expect(mine).toBeInstanceOf(messages.DatabaseError);
    const fields = ['message', 'name', 'length', 'severity', 'code', 'detail', 'hint', 'schema', 'table', 'column', 'constraint', 'file', 'routine', 'query', 'params'] as const;
    const pick = (e: unknown) => Object.fromEntries(fields.map((f) => [f, (e as Record<string, unknown>)[f]]));
    expect(pick(mine)).toEqual(pick(theirs));
    expect(pick(mine)).toMatchObject({ code: '23505', constraint: 'item_name_key', table: 'item', schema: 'public', severity: 'ERROR' });
    expect((mine as { params: unknown }).params).toBe(params);
  });

  it('keeps every other code, through the Prisma adapter too', async () => {
    const mine = await worker.query('SELECT * FROM missing_table').catch((e: unknown) => e);
    expect(mine).toBeInstanceOf(messages.DatabaseError);
    expect((mine as messages.DatabaseError).code).toBe('42P01');
    const notNull = await worker.exec('INSERT INTO item (id, name, n) VALUES (3, null, null)').catch((e: unknown) => e);
    expect(notNull).toMatchObject({ code: '23502', column: 'n', table: 'item' });

    const adapter = await new PrismaPGlite(worker as unknown as PGlite).connect();
    const err = await adapter
      .executeRaw({ sql: 'INSERT INTO item (id, name) VALUES ($1, $2)', args: [5, 'one'], argTypes: [
        { scalarType: 'int', arity: 'scalar' },
        { scalarType: 'string', arity: 'scalar' },
      ] })
      .catch((e: unknown) => e);
    expect((err as { cause: unknown }).cause).toMatchObject({ kind: 'UniqueConstraintViolation', constraint: { fields: ['name'] } });
  });

  it('a parameter PGlite cannot serialize fails that query only', async () => {
    await expect(worker.query('SELECT $1::bool', ['yes'])).rejects.toThrow('Invalid input for boolean type');
    await expect(worker.query('SELECT $1::text', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect((await worker.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('transactions', () => {
  const count = async (db: Pick<PGlite, 'query'>) =>
    (await db.query<{ c: number }>('SELECT count(*)::int4 AS c FROM item WHERE id >= 1000')).rows[0]!.c;

  it('commit, and queries from outside wait for the transaction', async () => {
    let outside: number | undefined;
    let pendingOutside: Promise<void> | undefined;
    const result = await worker.transaction(async (tx) => {
      await tx.query('INSERT INTO item (id, name) VALUES (1000, $1)', ['t1']);
      pendingOutside = count(worker).then((c) => {
        outside = c;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(outside).toBeUndefined();
      await tx.exec("INSERT INTO item (id, name) VALUES (1001, 't2'); SAVEPOINT s; INSERT INTO item (id, name) VALUES (1002, 't3'); ROLLBACK TO s");
      expect((await tx.query<{ c: number }>('SELECT count(*)::int4 AS c FROM item WHERE id >= 1000')).rows[0]!.c).toBe(2);
      return 'done';
    });
    expect(result).toBe('done');
    await pendingOutside;
    expect(outside).toBe(2);
  });

  it('roll back when the callback throws, and rethrow its error', async () => {
    const before = await count(worker);
    const boom = new Error('boom');
    await expect(
      worker.transaction(async (tx) => {
        await tx.query('INSERT INTO item (id, name) VALUES (1010, $1)', ['r1']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await count(worker)).toBe(before);
    // A failed statement aborts the transaction; the callback's error is the one reported.
    await expect(
      worker.transaction(async (tx) => {
        await tx.query('INSERT INTO item (id, name) VALUES (1011, $1)', ['r2']);
        await tx.query('INSERT INTO item (id, name) VALUES (1012, $1)', ['r2']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await count(worker)).toBe(before);
  });

  it('tx.rollback(), awaited or not (as pglite-prisma-adapter does), and tx is closed afterwards', async () => {
    const before = await count(worker);
    let kept: Awaited<Parameters<Parameters<PGliteWorkerClient['transaction']>[0]>[0]> | undefined;
    await worker.transaction(async (tx) => {
      kept = tx;
      await tx.query('INSERT INTO item (id, name) VALUES (1020, $1)', ['x1']);
      await tx.rollback();
      expect(tx.closed).toBe(true);
    });
    await worker.transaction(async (tx) => {
      await tx.query('INSERT INTO item (id, name) VALUES (1021, $1)', ['x2']);
      void tx.rollback();
    });
    expect(await count(worker)).toBe(before);
    await expect(kept!.query('SELECT 1')).rejects.toThrow('Transaction is closed');

    // The adapter's own transactions: commit, then an unawaited rollback.
    const adapter = await new PrismaPGlite(worker as unknown as PGlite).connect();
    const args = (id: number) => ({
      sql: 'INSERT INTO item (id, name) VALUES ($1, $2)',
      args: [id, `p${id}`],
      argTypes: [
        { scalarType: 'int' as const, arity: 'scalar' as const },
        { scalarType: 'string' as const, arity: 'scalar' as const },
      ],
    });
    const committed = await adapter.startTransaction();
    await committed.executeRaw(args(1030));
    await committed.commit();
    const rolledBack = await adapter.startTransaction();
    await rolledBack.executeRaw(args(1031));
    await rolledBack.rollback();
    expect((await worker.query('SELECT id FROM item WHERE id IN (1030, 1031)')).rows).toEqual([{ id: 1030 }]);
  });

  it('many concurrent queries and transactions from many callers', async () => {
    const queries = Array.from({ length: 300 }, (_, i) => worker.query<{ v: number }>('SELECT $1::int4 AS v', [i]));
    const increments = Array.from({ length: 20 }, () =>
      worker.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
        await new Promise((r) => setImmediate(r));
        await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
      }),
    );
    const more = Array.from({ length: 300 }, (_, i) => worker.query<{ v: number }>('SELECT $1::int4 * 2 AS v', [i]));
    const [a, , b] = await Promise.all([Promise.all(queries), Promise.all(increments), Promise.all(more)]);
    expect(a.map((r) => r.rows[0]!.v)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(b.map((r) => r.rows[0]!.v)).toEqual(Array.from({ length: 300 }, (_, i) => i * 2));
    // Serialized: no increment lost.
    expect((await worker.query<{ n: number }>('SELECT n FROM counter WHERE id = 1')).rows[0]!.n).toBe(20);
  });
});

describe('the main thread', () => {
  it('keeps its event loop running during a heavy query', async () => {
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      const { rows } = await worker.query<{ c: number }>('SELECT count(*)::int8 AS c FROM generate_series(1, 3e6)');
      expect(rows[0]!.c).toBe(3e6);
    } finally {
      clearInterval(timer);
    }
    const duration = performance.now() - started;
    console.log(`heavy query ${duration.toFixed(0)} ms, longest event-loop gap ${longestGap.toFixed(1)} ms`);
    expect(duration).toBeGreaterThan(200); // heavy enough for the gap to mean something
    // A relative bound: on a loaded machine every gap grows, but one query no longer blocks the loop throughout.
    expect(longestGap).toBeLessThan(duration / 3);
  });
});

describe('shutdown', () => {
  it('close leaves the directory clean, later calls reject, and the data is there when reopened', async () => {
    await worker.query("INSERT INTO item (id, name) VALUES (2000, 'kept')");
    await Promise.all([worker.close(), worker.close()]);
    expect(worker.closed).toBe(true);
    await expect(worker.query('SELECT 1')).rejects.toThrow('PGlite is closed');
    await expect(worker.transaction(async () => {})).rejects.toThrow('PGlite is closed');
    expect(existsSync(join(pgdata, 'postmaster.pid'))).toBe(false);

    // PGlite on this thread opens what the worker wrote.
    const reopened = await PGlite.create(pgdata);
    expect((await reopened.query('SELECT name FROM item WHERE id = 2000')).rows).toEqual([{ name: 'kept' }]);
    await reopened.close();
  });

  it('a worker that dies rejects what is pending and every later call, and marks the client closed', async () => {
    const db = await openPgliteWorker(pgdata);
    const dying = workers.at(-1)!;
    let inTransaction!: () => void;
    const begun = new Promise<void>((r) => (inTransaction = r));
    const transaction = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      inTransaction();
      await new Promise((r) => setTimeout(r, 300));
      await tx.query('SELECT 2');
    });
    await begun;
    const waiting = db.query('SELECT count(*) FROM generate_series(1, 5e6)');
    await new Promise((r) => setTimeout(r, 50));
    await dying.terminate();
    await expect(waiting).rejects.toThrow(/PGlite is closed: The PGlite worker stopped unexpectedly/);
    // Its next statement fails, and so does the ROLLBACK that follows: the transaction settles, it does not hang.
    await expect(transaction).rejects.toThrow(/PGlite is closed/);
    expect(db.closed).toBe(true);
    await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite is closed/);
    await db.close();
  });

  it('fails to open with PGlite’s error when the directory is unusable', async () => {
    const file = join(dir, 'not-a-dir');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    await expect(openPgliteWorker(join(file, 'pgdata'))).rejects.toThrow();
    expect(readdirSync(dir)).toContain('not-a-dir');
  });
});
