// What the server's pages share: the reader's language, and brand colours that stay legible and cannot inject CSS.
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../protocol/color.ts';
import { brandColor, brandVars, legibleOn, negotiateLanguage } from './page-kit.ts';

describe('negotiateLanguage', () => {
  const langs = ['en', 'es'] as const;
  it('takes lang= first, then Accept-Language by q-value and order', () => {
    expect(negotiateLanguage(langs, 'es-MX', 'en')).toBe('es');
    expect(negotiateLanguage(langs, 'ar', 'es;q=0.5, fr')).toBe('es');
    expect(negotiateLanguage(langs, undefined, 'fr, en;q=0.4, es;q=0.8')).toBe('es');
    expect(negotiateLanguage(langs, undefined, 'es, en')).toBe('es');
    expect(negotiateLanguage(langs, undefined, 'es;q=0, en;q=0.1')).toBe('en');
    expect(negotiateLanguage(langs, undefined, 'fr, de')).toBeNull();
    expect(negotiateLanguage(langs, undefined, undefined)).toBeNull();
    // Only the first ranges are read.
    expect(negotiateLanguage(langs, undefined, `${'fr,'.repeat(50)}es`)).toBeNull();
  });
});

describe('brand colours', () => {
  it('accepts hex colours only', () => {
    expect(brandColor('#ABC')).toBe('#aabbcc');
    expect(brandColor('red;}body{display:none')).toBe('#4f46e5');
    expect(brandColor(undefined)).toBe('#4f46e5');
  });

  it('makes accents that reach 4.5:1 on light and dark backgrounds', () => {
    for (const brand of ['#facc15', '#4f46e5', '#111111', '#ffffff', '#22c55e', '#ec4899']) {
      expect(contrastRatio(legibleOn(brand, '#eeeef3'), '#eeeef3'), brand).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(legibleOn(brand, '#1b1e26'), '#1b1e26'), brand).toBeGreaterThanOrEqual(4.5);
    }
    expect(legibleOn('#4f46e5', '#eeeef3')).toBe('#4f46e5');
    expect(brandVars('#facc15', { light: '#eeeef3', dark: '#1b1e26' })).toMatch(/^--brand:#facc15;--on-brand:#000;--accent-light:#[0-9a-f]{6};--accent-dark:#facc15$/);
  });
});
