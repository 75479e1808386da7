// Intl.DateTimeFormat objects are costly to build (a tenth of a millisecond each, several per answer about
// payments) and cheap to reuse, so each (shape, language, time zone) is built once. Bounded: the time zone
// comes from the customer's browser.
import { boundedCache } from '../cache.ts';

const formats = boundedCache<Intl.DateTimeFormat>({ max: 512 });

export function dateFormat(locale: string, timeZone: string, options: Omit<Intl.DateTimeFormatOptions, 'timeZone'>): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(key, f);
  }
  return f;
}
