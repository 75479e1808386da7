// Decimal strings without floating point: the database does arithmetic, these only normalise text.

/** "100.500000000000000000" → "100.5", "7.000" → "7". Input must be plain decimal notation. */
export function canonicalDecimal(value: string): string {
  if (!value.includes('.')) return value;
  const trimmed = value.replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/** Prisma Decimal (decimal.js) → canonical string; toFixed() never switches to exponent notation. */
export function decimalToString(value: { toFixed(): string }): string {
  return canonicalDecimal(value.toFixed());
}
