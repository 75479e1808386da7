// The engine's own sentences, in English and Spanish. Facts about the product come from the knowledge base
// (each workspace's own), not from here: these only frame them. Payment data is formatted here: amounts
// every digit kept (protocol/amounts.ts), names and memos quoted as data.
import { formatAmount } from '../../../protocol/amounts.ts';
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';
import type { PaymentStatus } from '../../../protocol/values.ts';
import type { RefusalTopic, SmalltalkTopic } from './intents.ts';
import type { Counterparty, PaymentFact } from './payments-tools.ts';
import type { Period } from './periods.ts';
import { dateFormat } from './date-formats.ts';
import { plainData, quoteData } from './text.ts';

type L = AssistantLanguage;
type Texts = Record<L, string>;

const pick = (t: Texts, lang: L) => t[lang];

export const STATUS: Record<PaymentStatus, Texts> = {
  pending: { en: 'Pending', es: 'Pendiente' },
  succeeded: { en: 'Paid', es: 'Pagado' },
  failed: { en: 'Failed', es: 'Fallido' },
  refunded: { en: 'Refunded', es: 'Reembolsado' },
};

const WHEN = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

/** "18 Nov 2026, 14:50 UTC" / "18 nov 2026, 14:50 UTC" in the customer's time zone. */
export function when(iso: string, lang: L, timeZone: string): string {
  const text = dateFormat(lang === 'en' ? 'en-GB' : 'es', timeZone, WHEN).format(new Date(iso));
  return `${text.replace(/\.(?=\s|,)/g, '')} ${timeZone === 'UTC' ? 'UTC' : timeZone}`;
}

/** **100,5 VRC** — exact, in the language's notation. */
export const money = (amount: string, token: string, lang: L): string => `**${formatAmount(amount, lang)} ${token}**`;

export const nameOf = (c: Counterparty): string => plainData(c.name ?? c.id);

/** "**20 VRC** to Diego Ramos" / "**20 VRC** de Diego Ramos". */
export function paymentPhrase(p: PaymentFact, lang: L): string {
  const who = nameOf(p.counterparty);
  if (lang === 'es') return p.direction === 'out' ? `${money(p.amount, p.token, lang)} a ${who}` : `${money(p.amount, p.token, lang)} de ${who}`;
  return p.direction === 'out' ? `${money(p.amount, p.token, lang)} to ${who}` : `${money(p.amount, p.token, lang)} from ${who}`;
}

/** One payment in full: what, with whom, when it was made, its status and when that happened. */
export function describePayment(p: PaymentFact, lang: L, tz: string): string {
  const made = when(p.initiatedAt, lang, tz);
  const status = `**${STATUS[p.status][lang]}**`;
  const since =
    p.status === 'succeeded' && p.succeededAt
      ? pick({ en: ` on ${when(p.succeededAt, lang, tz)}`, es: ` el ${when(p.succeededAt, lang, tz)}` }, lang)
      : p.status === 'failed' && p.failedAt
        ? pick({ en: ` on ${when(p.failedAt, lang, tz)}`, es: ` el ${when(p.failedAt, lang, tz)}` }, lang)
        : p.status === 'refunded' && p.refundedAt
          ? pick({ en: ` on ${when(p.refundedAt, lang, tz)}`, es: ` el ${when(p.refundedAt, lang, tz)}` }, lang)
          : p.status === 'pending'
            ? pick({ en: ' (still in progress)', es: ' (todavía en curso)' }, lang)
            : '';
  const line = pick(
    {
      en: `${paymentPhrase(p, lang)}, made ${made}. Status: ${status}${since}.`,
      es: `${paymentPhrase(p, lang)}, hecho el ${made}. Estado: ${status}${since}.`,
    },
    lang,
  );
  const memo = p.memo ? pick({ en: `\n\nNote on the payment: ${quoteData(p.memo)}`, es: `\n\nNota del pago: ${quoteData(p.memo)}` }, lang) : '';
  const receipt = p.receipt ? pick({ en: ` Receipt no. ${p.receipt.number}.`, es: ` Recibo n.º ${p.receipt.number}.` }, lang) : '';
  return `${line}${receipt}${memo}`;
}

export function periodText(period: Period | null, lang: L): string {
  if (!period) return pick({ en: 'in total', es: 'en total' }, lang);
  const label = period.label[lang];
  if (lang === 'es') return /^(hoy|ayer|esta|la semana|los últimos)/.test(label) ? label : `en ${label}`;
  return /^(today|yesterday|this week|last week|the last)/.test(label) ? label : `in ${label}`;
}

export function listAmounts(items: { token: string; amount: string }[], lang: L): string {
  const parts = items.map((i) => money(i.amount, i.token, lang));
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} ${lang === 'es' ? 'y' : 'and'} ${parts.at(-1)}`;
}

export const plural = (n: number, lang: L, one: Texts, many: Texts) => `${n} ${n === 1 ? one[lang] : many[lang]}`;

export const T = {
  handoff: {
    en: "Sure — I'm bringing in a person from the team. They'll reply right here in this chat; you can keep writing in the meantime.",
    es: 'Claro, te paso con una persona del equipo. Te responderá aquí mismo en este chat; mientras tanto puedes seguir escribiendo.',
  },
  declined: {
    en: 'No problem. Ask me anything else about payments, refunds, receipts or your account.',
    es: 'Sin problema. Pregúntame lo que quieras sobre pagos, reembolsos, recibos o tu cuenta.',
  },
  notSure: {
    en: "I'm not sure I have a good answer to that. Want me to bring in a person from the team?",
    es: 'No estoy seguro de tener una buena respuesta para eso. ¿Quieres que te pase con una persona del equipo?',
  },
  secondMiss: {
    en: "I couldn't find a good answer to that either, so a person from the team is your best bet. Tap **Talk to a person** and they'll reply here.",
    es: 'Tampoco encontré una buena respuesta para eso, así que lo mejor es que te atienda una persona del equipo. Toca **Hablar con una persona** y te responderán aquí.',
  },
  clarify: { en: 'Did you mean **{a}** or **{b}**?', es: '¿Te refieres a **{a}** o a **{b}**?' },
  signIn: {
    en: 'To look at your own payments I need you signed in. Sign in on this site and ask me again — I only ever show you your own payments.',
    es: 'Para ver tus propios pagos necesito que inicies sesión. Inicia sesión en este sitio y vuelve a preguntarme: solo te muestro tus propios pagos.',
  },
  inGeneral: { en: 'In general: **{title}** — {answer}', es: 'En general: **{title}**: {answer}' },
  smalltalk: {
    greeting: {
      en: "Hi! I'm the assistant. Ask me about payments, refunds, receipts or your account — or say \"talk to a person\" any time.",
      es: '¡Hola! Soy el asistente. Pregúntame sobre pagos, reembolsos, recibos o tu cuenta, o escribe "hablar con una persona" cuando quieras.',
    },
    'how-are-you': {
      en: "I'm doing well, thanks for asking! What can I help you with — a payment, a refund, a receipt?",
      es: '¡Muy bien, gracias por preguntar! ¿En qué te ayudo: un pago, un reembolso, un recibo?',
    },
    thanks: { en: "You're welcome! Anything else I can help with?", es: '¡De nada! ¿Te ayudo con algo más?' },
    bye: { en: 'Bye! Come back any time.', es: '¡Hasta luego! Vuelve cuando quieras.' },
    ack: { en: 'Great. Anything else I can help with?', es: 'Perfecto. ¿Te ayudo con algo más?' },
    bot: {
      en: "I'm an automated assistant, not a person. I can answer questions about payments, refunds, receipts and your account, and look up your own payments when you're signed in. If you'd rather talk to a person, just say so.",
      es: 'Soy un asistente automático, no una persona. Respondo preguntas sobre pagos, reembolsos, recibos y tu cuenta, y reviso tus propios pagos si iniciaste sesión. Si prefieres hablar con una persona, solo dímelo.',
    },
  } satisfies Record<SmalltalkTopic, Texts>,
  refuse: {
    instructions: {
      en: "I can't share how I'm set up. I'm here to help with payments, refunds, receipts and your account — what do you need?",
      es: 'No puedo compartir cómo estoy configurado. Estoy aquí para ayudarte con pagos, reembolsos, recibos y tu cuenta. ¿Qué necesitas?',
    },
    'money-action': {
      en: "I can't {action} — I never take actions on money. {how}",
      es: 'No puedo {action}: nunca hago movimientos de dinero. {how}',
    },
    'other-data': {
      en: 'I can only look at your own payments, never anyone else’s. Ask me about a payment you made or received.',
      es: 'Solo puedo ver tus propios pagos, nunca los de otras personas. Pregúntame por un pago que hiciste o recibiste.',
    },
    price: {
      en: "I can't predict prices or give investment advice. I can help with sending, receiving, fees, refunds and receipts.",
      es: 'No puedo predecir precios ni dar consejos de inversión. Sí puedo ayudarte con envíos, cobros, comisiones, reembolsos y recibos.',
    },
    creative: {
      en: "That's outside what I do: I'm here for questions about payments and your account.",
      es: 'Eso está fuera de lo que hago: estoy aquí para preguntas sobre pagos y tu cuenta.',
    },
    'off-topic': {
      en: 'I can only help with payments, refunds, receipts and your account here.',
      es: 'Aquí solo puedo ayudarte con pagos, reembolsos, recibos y tu cuenta.',
    },
  } satisfies Record<RefusalTopic, Texts>,
  action: {
    refund: { en: 'issue or start a refund', es: 'hacer ni iniciar un reembolso' },
    send: { en: 'send or move money', es: 'enviar ni mover dinero' },
    cancel: { en: 'cancel or reverse a payment', es: 'cancelar ni revertir un pago' },
  },
  howYourself: { en: 'Here is how you can do it: {answer}', es: 'Así puedes hacerlo tú: {answer}' },
  followUps: {
    general: {
      en: ['How long do refunds take?', 'Why did my payment fail?', 'Talk to a person'],
      es: ['¿Cuánto tarda un reembolso?', '¿Por qué falló mi pago?', 'Hablar con una persona'],
    },
    payments: {
      en: ['Do I have pending payments?', 'Show my last receipt', 'Talk to a person'],
      es: ['¿Tengo pagos pendientes?', 'Muéstrame mi último recibo', 'Hablar con una persona'],
    },
  },
} as const;

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}
