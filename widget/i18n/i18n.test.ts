import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHexColor, readableTextColor } from '../styles/color.ts';
import ar from './ar.json';
import en from './en.json';
import es from './es.json';
import { createI18n, resolveLocale } from './index.ts';
import payAr from '../payments/i18n/payments-ar.json';
import payEn from '../payments/i18n/payments-en.json';
import payEs from '../payments/i18n/payments-es.json';
import aiAr from '../assistant/i18n/assistant-ar.json';
import aiEn from '../assistant/i18n/assistant-en.json';
import aiEs from '../assistant/i18n/assistant-es.json';

const payments = { en: payEn, es: payEs, ar: payAr };
const assistant = { en: aiEn, es: aiEs, ar: aiAr };

describe('catalogs', () => {
  const baseKeys = (catalog: object) => Object.keys(catalog).filter((k) => !/_(zero|one|two|few|many|other)$/.test(k));
  it.each([
    ['es', es, en],
    ['ar', ar, en],
    ['payments es', payments.es, payments.en],
    ['payments ar', payments.ar, payments.en],
    ['assistant es', assistant.es, assistant.en],
    ['assistant ar', assistant.ar, assistant.en],
  ])('%s has every English key, and nothing else', (_name, catalog, english) => {
    expect(baseKeys(catalog).sort()).toEqual(baseKeys(english).sort());
    for (const k of Object.keys(english).filter((k) => k.endsWith('_other'))) expect(catalog).toHaveProperty(k);
  });

  it('a feature adds keys without redefining the core ones, or another feature’s (they share one catalog)', () => {
    expect(Object.keys(payments.en).filter((k) => k in en)).toEqual([]);
    expect(Object.keys(assistant.en).filter((k) => k in en || k in payments.en)).toEqual([]);
  });

  it('uses the plural category of the language', () => {
    const t = createI18n('ar', ar);
    expect(t.plural('unread', 2)).toBe('رسالتان غير مقروءتين');
    expect(t.plural('unread', 5)).toMatch(/^(5|٥) رسائل غير مقروءة$/); // "few" form
    expect(createI18n('en', en).plural('unread', 1)).toBe('1 unread message');
    expect(t.dir).toBe('rtl');
  });

  it('picks the requested language, then the browser languages, then English', () => {
    expect(resolveLocale('es-MX', ['ar'])).toBe('es');
    expect(resolveLocale(undefined, ['fr-FR', 'ar-EG'])).toBe('ar');
    expect(resolveLocale('fr', ['de'])).toBe('en');
  });
});

describe('brand colour', () => {
  it('only accepts hex colours', () => {
    expect(parseHexColor('#ABC')).toBe('#aabbcc');
    expect(parseHexColor('#12345g')).toBeNull();
    expect(parseHexColor('red;background:url(x)')).toBeNull();
  });

  it('always picks a text colour with at least 4.5:1 contrast', () => {
    for (let i = 0; i < 4096; i++) {
      const bg = '#' + [i >> 8, (i >> 4) & 15, i & 15].map((n) => (n * 17).toString(16).padStart(2, '0')).join('');
      const fg = readableTextColor(bg) === '#fff' ? '#ffffff' : '#000000';
      expect(contrastRatio(bg, fg)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
