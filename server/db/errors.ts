// Recognising database errors across both drivers (adapter-pg and PGlite report them differently).

/** A unique constraint rejected the write (PostgreSQL 23505 / Prisma P2002). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { code?: string; originalCode?: string } } } };
  return (
    e?.code === 'P2002' ||
    e?.meta?.code === '23505' ||
    e?.meta?.driverAdapterError?.cause?.code === '23505' ||
    e?.meta?.driverAdapterError?.cause?.originalCode === '23505' ||
    /unique constraint|23505/i.test(String((err as Error)?.message))
  );
}

/**
 * One line saying why a PostgreSQL database could not be used and what to do, for the CLIs and start-up;
 * null when `err` is not a connection problem (or there is no DATABASE_URL). Names host, port and database,
 * never user or password.
 */
export function connectionProblem(err: unknown, databaseUrl: string | undefined): string | null {
  if (!databaseUrl) return null;
  const code = (err as { code?: unknown } | null)?.code;
  let where = 'the DATABASE_URL server';
  let database = '(default)';
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname}:${url.port || '5432'}`;
    database = decodeURIComponent(url.pathname.slice(1)) || database;
  } catch {
    // the configuration already checked it is a URL
  }
  switch (code) {
    case '3D000':
      return `Database "${database}" does not exist on ${where}. Create it first (in psql: CREATE DATABASE "${database}";), then run npm run db:deploy.`;
    case '28P01':
    case '28000':
      return `PostgreSQL on ${where} refused the user name or password in DATABASE_URL.`;
    case 'ECONNREFUSED':
      return `Nothing accepts connections on ${where}: is PostgreSQL running there, and is DATABASE_URL right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host in DATABASE_URL (${where}) could not be resolved.`;
    case 'ETIMEDOUT':
      return `Connecting to ${where} timed out: check DATABASE_URL and the network between here and PostgreSQL.`;
    default:
      return null;
  }
}
