// The hot paths' own SQL, beside Prisma (the drivers implement it in ./client.ts).
import type { PrismaClient } from './generated/client.ts';

/**
 * A few statements run on every message or event skip the ORM: Prisma's per-query work cost more server
 * CPU than the database's. On PostgreSQL each named statement is prepared once per pooled connection (no
 * parse or plan per call); PGlite runs the text as given.
 */
export interface SqlRunner {
  query<T>(statement: SqlStatement, params: unknown[]): Promise<T[]>;
}

/** A statement with a stable name (its text never changes under that name). */
export interface SqlStatement {
  name: string;
  text: string;
}

/** The same statements through Prisma: for tools and tests that hold only a PrismaClient. */
export function prismaSqlRunner(prisma: PrismaClient): SqlRunner {
  return { query: <T>(s: SqlStatement, params: unknown[]) => prisma.$queryRawUnsafe<T[]>(s.text, ...params) };
}
