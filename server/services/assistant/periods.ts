// Periods customers name ("this week", "yesterday", "last month", "in October"; "esta semana", "ayer",
// "el mes pasado", "en octubre") → a [from, to) interval in the customer's time zone (UTC unless known).
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';
import { dateFormat } from './date-formats.ts';
import { fold } from './text.ts';

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** How the answer names it, e.g. "last month (October 2026)". */
  label: Record<AssistantLanguage, string>;
}

const MONTHS: Record<AssistantLanguage, string[]> = {
  en: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
};
const SHORT_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface Wall {
  y: number;
  m: number; // 0-11
  d: number;
}

const WALL_DATE = { year: 'numeric', month: 'numeric', day: 'numeric' } as const;
const WALL_TIME = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;

/** The wall-clock date of an instant in a time zone. */
function wallDate(at: Date, timeZone: string): Wall {
  const parts = dateFormat('en-US', timeZone, WALL_DATE).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { y: get('year'), m: get('month') - 1, d: get('day') };
}

/** The instant a wall-clock midnight happens in a time zone (offsets from Intl; exact outside DST jumps at midnight). */
function midnight(y: number, m: number, d: number, timeZone: string): Date {
  const guess = Date.UTC(y, m, d);
  const offset = (at: number) => {
    const parts = dateFormat('en-US', timeZone, WALL_TIME).formatToParts(at);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at;
  };
  const first = guess - offset(guess);
  return new Date(guess - offset(first));
}

function monthLabel(y: number, m: number, lang: AssistantLanguage): string {
  const name = MONTHS[lang][m]!;
  return lang === 'en' ? `${name[0]!.toUpperCase()}${name.slice(1)} ${y}` : `${name} de ${y}`;
}

function dayLabel(w: Wall, lang: AssistantLanguage): string {
  return dateFormat(lang === 'en' ? 'en-GB' : 'es', 'UTC', { day: 'numeric', month: 'long', year: 'numeric' }).format(
    new Date(Date.UTC(w.y, w.m, w.d)),
  );
}

/**
 * The period a question names, or null when it names none. `now` and `timeZone` come from the caller
 * (the engine's input), so answers are reproducible.
 */
export function parsePeriod(text: string, now: Date, timeZone = 'UTC'): Period | null {
  const t = ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const today = wallDate(now, timeZone);
  const day = (offset: number) => {
    const w = new Date(Date.UTC(today.y, today.m, today.d + offset));
    return { y: w.getUTCFullYear(), m: w.getUTCMonth(), d: w.getUTCDate() };
  };
  const at = (w: Wall) => midnight(w.y, w.m, w.d, timeZone);
  const span = (from: Wall, toExclusive: Wall, en: string, es: string): Period => ({ from: at(from), to: at(toExclusive), label: { en, es } });

  if (/ (today|hoy) /.test(t)) return span(day(0), day(1), `today (${dayLabel(day(0), 'en')})`, `hoy (${dayLabel(day(0), 'es')})`);
  if (/ (yesterday|ayer|yday) /.test(t)) return span(day(-1), day(0), `yesterday (${dayLabel(day(-1), 'en')})`, `ayer (${dayLabel(day(-1), 'es')})`);
  // Weeks start on Monday.
  const weekday = (new Date(Date.UTC(today.y, today.m, today.d)).getUTCDay() + 6) % 7;
  if (/ (this week|esta semana|en la semana) /.test(t)) {
    return span(day(-weekday), day(1), 'this week (since Monday)', 'esta semana (desde el lunes)');
  }
  if (/ (last week|past week|previous week|la semana pasada|semana anterior) /.test(t)) {
    return span(day(-weekday - 7), day(-weekday), 'last week (Monday to Sunday)', 'la semana pasada (de lunes a domingo)');
  }
  const lastDays = / (?:last|past|ultimos|los ultimos) (\d{1,3}) (?:days|dias) /.exec(t);
  if (lastDays) {
    const n = Math.min(366, Number(lastDays[1]));
    return span(day(-n + 1), day(1), `the last ${n} days`, `los últimos ${n} días`);
  }
  if (/ (this month|este mes|en el mes) /.test(t)) {
    return span({ y: today.y, m: today.m, d: 1 }, day(1), monthLabel(today.y, today.m, 'en'), monthLabel(today.y, today.m, 'es'));
  }
  if (/ (last month|past month|previous month|el mes pasado|mes pasado|el mes anterior) /.test(t)) {
    const y = today.m === 0 ? today.y - 1 : today.y;
    const m = (today.m + 11) % 12;
    return span({ y, m, d: 1 }, { y: today.m === 0 ? today.y : today.y, m: today.m, d: 1 }, monthLabel(y, m, 'en'), monthLabel(y, m, 'es'));
  }
  if (/ (this year|este ano|este año) /.test(t)) {
    return span({ y: today.y, m: 0, d: 1 }, day(1), `${today.y}`, `${today.y}`);
  }
  if (/ (last year|el ano pasado|ano pasado) /.test(t)) {
    return span({ y: today.y - 1, m: 0, d: 1 }, { y: today.y, m: 0, d: 1 }, `${today.y - 1}`, `${today.y - 1}`);
  }
  // A month by name: the most recent one that has begun ("in October" asked in November 2026 = October 2026).
  for (let m = 0; m < 12; m++) {
    const names = [MONTHS.en[m]!, MONTHS.es[m]!, SHORT_MONTHS[m]!].filter((n) => n !== 'may' || / (in|on|during) may /.test(t));
    if (names.some((n) => t.includes(` ${n} `))) {
      const yearMatch = new RegExp(`(?:${names.join('|')}) (?:de |of )?(20\\d\\d)`).exec(t);
      const y = yearMatch ? Number(yearMatch[1]) : m <= today.m ? today.y : today.y - 1;
      const next = m === 11 ? { y: y + 1, m: 0, d: 1 } : { y, m: m + 1, d: 1 };
      return span({ y, m, d: 1 }, next, monthLabel(y, m, 'en'), monthLabel(y, m, 'es'));
    }
  }
  return null;
}
