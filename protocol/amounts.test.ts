import { describe, expect, it } from 'vitest';
import { formatAmount } from './amounts.ts';

/** Arabic-Indic and other decimal digits back to ASCII, separators dropped: the digits shown, in order. */
const digitsOf = (s: string): string =>
  s.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/\D/g, '');

describe('formatAmount: every digit, never through a float', () => {
  it('keeps 18 decimals exactly', () => {
    expect(formatAmount('0.000000000000000001', 'en')).toBe('0.000000000000000001');
    // As a number this would be 1e-18.
    expect(String(Number('0.000000000000000001'))).toBe('1e-18');
  });

  it('keeps 30 integer digits exactly, grouped for the locale', () => {
    const big = '123456789012345678901234567890.5';
    expect(formatAmount(big, 'en')).toBe('123,456,789,012,345,678,901,234,567,890.5');
    expect(formatAmount(big, 'es')).toBe('123.456.789.012.345.678.901.234.567.890,5');
    // A float would have kept ~17 significant digits.
    expect(Number(big).toLocaleString('en', { maximumFractionDigits: 1 })).not.toBe('123,456,789,012,345,678,901,234,567,890.5');
  });

  it('writes Arabic amounts with the locale digits and separators, digits unchanged', () => {
    for (const locale of ['ar', 'ar-EG']) {
      const shown = formatAmount('1234567.0089', locale);
      expect(digitsOf(shown)).toBe('12345670089');
      const nf = new Intl.NumberFormat(locale);
      const decimal = nf.formatToParts(0.5).find((p) => p.type === 'decimal')!.value;
      expect(shown).toBe(nf.format(1234567n) + decimal + [0, 0, 8, 9].map((d) => nf.format(d)).join(''));
    }
    expect(formatAmount('1234.5', 'ar-EG')).toBe('١٬٢٣٤٫٥');
  });

  it('keeps the decimals it was given (trailing zeros included) and follows the locale on grouping', () => {
    expect(formatAmount('1.50', 'en')).toBe('1.50');
    expect(formatAmount('100', 'en')).toBe('100');
    expect(formatAmount('0', 'en')).toBe('0');
    expect(formatAmount('1234', 'en')).toBe('1,234');
    expect(formatAmount('1234', 'es')).toBe('1234'); // Spanish groups from five digits on
    expect(formatAmount('12345', 'es')).toBe('12.345');
  });

  it('shows anything that is not plain decimal notation exactly as sent', () => {
    for (const odd of ['1e21', '-5', ' 1', '1,000', '', 'NaN', '0x10', '.5', '5.']) expect(formatAmount(odd, 'en')).toBe(odd);
  });
});
