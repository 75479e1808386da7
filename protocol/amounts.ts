// How amounts are shown, for the widget and the receipt page alike (one implementation, so the chat and
// the receipt never disagree on a digit). Plain TypeScript, no zod: the widget imports it at run time.
// Amounts are decimal strings of any length and precision ("0.000000000000000001",
// "123456789012345678901234567890.5"): a JavaScript number would round them, so none is ever made.
// The integer part goes through Intl as a BigInt (exact, with the locale's grouping and digits),
// the fraction is written digit by digit after the locale's decimal separator. Intl's own decimal
// string support (NumberFormat v3) is not in every browser we serve, nor beyond 20 decimals.
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

interface Symbols {
  format(n: bigint): string;
  decimal: string;
  digits: string[];
}
/** Per locale; callers pass the few locales they support (the widget's, the receipt page's), so it stays small. */
const cache = new Map<string, Symbols>();

function symbols(locale: string): Symbols {
  let s = cache.get(locale);
  if (!s) {
    const nf = new Intl.NumberFormat(locale);
    s = {
      format: (n) => nf.format(n),
      decimal: nf.formatToParts(0.5).find((p) => p.type === 'decimal')?.value ?? '.',
      digits: Array.from({ length: 10 }, (_, d) => nf.format(d)),
    };
    cache.set(locale, s);
  }
  return s;
}

/** `amount` for display in `locale`, every digit kept; anything but plain decimal notation is shown as sent. */
export function formatAmount(amount: string, locale: string): string {
  const m = PLAIN_DECIMAL.exec(amount);
  if (!m) return amount;
  const s = symbols(locale);
  const fraction = m[2] ? s.decimal + m[2].replace(/\d/g, (d) => s.digits[+d]!) : '';
  return s.format(BigInt(m[1]!)) + fraction;
}
