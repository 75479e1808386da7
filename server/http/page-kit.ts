// What the HTML pages the server renders (receipts, the help center) share: the reader's language from `lang=`
// and Accept-Language, the merchant's brand colour as CSS custom properties, the merchant's mark, and `{name}`
// placeholders in texts. The one HTML escaper stays in html.ts.
import { contrastRatio, parseHexColor, readableTextColor } from '../../protocol/color.ts';

/** The colour pages use when the workspace has none (or an invalid one). */
export const DEFAULT_BRAND = '#4f46e5';

/** `{name}` placeholders filled in; unknown ones are left as they are. */
export const fill = (text: string, vars: Record<string, string>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

/** The primary subtag of a language tag, lower case: "es-MX" → "es". */
export const primaryLanguage = (tag: string): string => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/** Most Accept-Language entries looked at (the header is the client's: bounded work). */
const MAX_RANGES = 20;

/**
 * The reader's language among `supported`: the page's `lang` (a language tag; its primary subtag counts) when
 * supported, else the browser's Accept-Language by preference (q-values, then order), else null.
 */
export function negotiateLanguage<L extends string>(
  supported: readonly L[],
  lang: string | undefined,
  acceptLanguage: string | undefined,
): L | null {
  const isSupported = (l: string): l is L => (supported as readonly string[]).includes(l);
  if (lang && isSupported(primaryLanguage(lang))) return primaryLanguage(lang) as L;
  const ranked = (acceptLanguage ?? '')
    .split(',', MAX_RANGES)
    .map((part, i) => {
      const [tag = '', ...params] = part.split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { lang: primaryLanguage(tag), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((c) => c.q > 0 && isSupported(c.lang))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as L | undefined) ?? null;
}

/** The workspace's brand colour as `#rrggbb`, or the default: the value lands in CSS, so only a hex colour passes. */
export const brandColor = (color: unknown): string => parseHexColor(color) ?? DEFAULT_BRAND;

/**
 * CSS custom properties for a brand colour: `--brand` (surfaces), `--on-brand` (text on them, 4.5:1 whatever the
 * colour), and when `accents` are asked for, `--accent-light` / `--accent-dark`: the brand colour darkened or
 * lightened just enough for text and links to reach 4.5:1 on those page backgrounds.
 */
export function brandVars(brand: string, accents?: { light: string; dark: string }): string {
  const vars = [`--brand:${brand}`, `--on-brand:${readableTextColor(brand)}`];
  if (accents) vars.push(`--accent-light:${legibleOn(brand, accents.light)}`, `--accent-dark:${legibleOn(brand, accents.dark)}`);
  return vars.join(';');
}

/** `color` mixed towards black (on a light background) or white (on a dark one) until it reaches 4.5:1. */
export function legibleOn(color: string, background: string): string {
  const target = contrastRatio(background, '#ffffff') > contrastRatio(background, '#000000') ? 255 : 0;
  const rgb = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  for (let step = 0; step <= 20; step++) {
    const mixed = `#${rgb.map((c) => Math.round(c + ((target - c) * step) / 20).toString(16).padStart(2, '0')).join('')}`;
    if (contrastRatio(mixed, background) >= 4.5) return mixed;
  }
  return target ? '#ffffff' : '#000000';
}

/** The merchant's mark: the first letter of their name (a whole grapheme, so "É" or an emoji stays whole). */
export function initial(name: string): string {
  const first = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name.trim())][0]?.segment ?? '';
  return first.toLocaleUpperCase();
}
