// The knowledge base as a help center shows it (the widget's FAQ panel over REST, and the /help pages): which
// language to show, categories with their localized titles in a sensible order, and the articles related to one.
import { ASSISTANT_LANGUAGES, KB_CATEGORIES, type AssistantLanguage, type KbCategory } from '../../../protocol/assistant-values.ts';
import { linkedSlugs, type Article } from './kb.ts';

/** Category titles; Arabic readers get the English knowledge base, so English titles. */
const CATEGORY_TITLES: Record<KbCategory, Record<AssistantLanguage, string>> = {
  'sending-receiving': { en: 'Sending and receiving', es: 'Enviar y recibir' },
  'payment-links-qr': { en: 'Payment links and QR codes', es: 'Enlaces de pago y códigos QR' },
  'failed-payments': { en: 'Failed payments', es: 'Pagos fallidos' },
  'pending-payments': { en: 'Pending payments', es: 'Pagos pendientes' },
  refunds: { en: 'Refunds', es: 'Reembolsos' },
  receipts: { en: 'Receipts', es: 'Recibos' },
  fees: { en: 'Fees', es: 'Comisiones' },
  wallets: { en: 'Wallets', es: 'Billeteras' },
  'vrc-tokens-networks': { en: 'VRC, tokens and networks', es: 'VRC, tokens y redes' },
  'transactions-explorers': { en: 'Transactions and explorers', es: 'Transacciones y exploradores' },
  'security-phishing': { en: 'Security and scams', es: 'Seguridad y estafas' },
  'sign-in-verification': { en: 'Sign-in and verification', es: 'Inicio de sesión y verificación' },
  'merchants-widget': { en: 'For merchants', es: 'Para comercios' },
  disputes: { en: 'Disputes', es: 'Disputas' },
  limits: { en: 'Limits', es: 'Límites' },
  'privacy-data': { en: 'Privacy and your data', es: 'Privacidad y tus datos' },
  'contact-support': { en: 'Contact support', es: 'Contactar con soporte' },
  'using-chat': { en: 'Using the chat', es: 'Cómo usar el chat' },
};

const isLanguage = (l: string): l is AssistantLanguage => (ASSISTANT_LANGUAGES as readonly string[]).includes(l);
const primary = (tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/**
 * The knowledge base's language for a reader: `requested` (a language tag: "es-MX" is Spanish) if given, else
 * the workspace's locale; either falls back to English when the knowledge base does not speak it (Arabic).
 */
export function kbLanguage(requested: string | undefined, workspaceLocale: string): AssistantLanguage {
  const tag = primary(requested || workspaceLocale);
  return isLanguage(tag) ? tag : 'en';
}

/** A category's title: the shipped ones translated, a workspace's own made readable from its slug. */
export function categoryTitle(category: string, language: AssistantLanguage): string {
  const known = (CATEGORY_TITLES as Record<string, Record<AssistantLanguage, string>>)[category];
  if (known) return known[language];
  const words = category.replace(/-/g, ' ');
  return words.charAt(0).toLocaleUpperCase(language) + words.slice(1);
}

export interface HelpArticleLink {
  slug: string;
  title: string;
}

export interface HelpCategory {
  id: string;
  title: string;
  articles: HelpArticleLink[];
}

/**
 * Articles grouped by category: the shipped categories in their order (from sending money, through problems and
 * money matters, to account, merchant and support topics), then a workspace's own categories by title; articles
 * by title within each.
 */
export function helpCategories(articles: readonly Article[], language: AssistantLanguage): HelpCategory[] {
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });
  const groups = new Map<string, HelpArticleLink[]>();
  for (const a of articles) {
    const list = groups.get(a.category) ?? [];
    list.push({ slug: a.slug, title: a.title });
    groups.set(a.category, list);
  }
  const rank = (c: string) => {
    const i = (KB_CATEGORIES as readonly string[]).indexOf(c);
    return i < 0 ? KB_CATEGORIES.length : i;
  };
  return [...groups.entries()]
    .map(([id, list]) => ({ id, title: categoryTitle(id, language), articles: list.sort((x, y) => collator.compare(x.title, y.title)) }))
    .sort((x, y) => rank(x.id) - rank(y.id) || collator.compare(x.title, y.title));
}

/** Up to `max` articles to read next: those the article links to (in order), then others of its category by title. */
export function relatedArticles(article: Article, all: readonly Article[], max = 5): HelpArticleLink[] {
  const bySlug = new Map(all.map((a) => [a.slug, a]));
  const picked = new Map<string, HelpArticleLink>();
  for (const slug of linkedSlugs(article.details)) {
    const a = bySlug.get(slug);
    if (a && slug !== article.slug && picked.size < max) picked.set(slug, { slug, title: a.title });
  }
  const collator = new Intl.Collator(article.language, { sensitivity: 'base', numeric: true });
  const siblings = all.filter((a) => a.category === article.category && a.slug !== article.slug && !picked.has(a.slug));
  for (const a of siblings.sort((x, y) => collator.compare(x.title, y.title))) {
    if (picked.size >= max) break;
    picked.set(a.slug, { slug: a.slug, title: a.title });
  }
  return [...picked.values()];
}
