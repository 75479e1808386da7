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
