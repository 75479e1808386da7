// The knowledge base: the default articles shipped as markdown (kb/vpay/<language>/<slug>.md), each
// workspace's own articles in the database (FaqArticle: overrides by slug + language, additions, archived
// rows hiding a default), import/export of the same markdown format for the admin CLI, and validation with
// coded issues. Every change is announced on the invalidation bus so search indexes are rebuilt at once, on
// every instance.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Document, parse as parseYaml } from 'yaml';
import { ASSISTANT_LANGUAGES, KB_CATEGORIES, type AssistantLanguage, type FaqArticleDto } from '../../../protocol/assistant-values.ts';
import { KB_SLUG, MAX_KB_SLUG_LENGTH } from '../../../protocol/assistant.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { REPO_ROOT } from '../../paths.ts';
import { boundedCache, type BoundedCache } from '../cache.ts';
import { LocalInvalidationBus, type InvalidationBus } from '../invalidation.ts';

export interface Article {
  slug: string;
  language: AssistantLanguage;
  category: string;
  title: string;
  /** Other ways customers ask the question. */
  alternatives: string[];
  tags: string[];
  /** The short answer: the first paragraph. */
  answer: string;
  /** Markdown after the Details heading. */
  details: string;
}

/** Where an effective article comes from: the shipped default, or the workspace's own row. */
export type EffectiveArticle = Article & { origin: 'default' | 'workspace' };

/** The default knowledge base shipped in the repository. */
export const DEFAULT_KB_DIR = path.join(REPO_ROOT, 'kb', 'vpay');

/** Front matter keys, in the order the files write them. */
const KEYS = ['slug', 'language', 'category', 'title', 'alternatives', 'tags'] as const;
const DETAILS_HEADING: Record<AssistantLanguage, string> = { en: 'Details', es: 'Detalles' };
const LIMITS = { title: 200, item: 200, alternatives: 30, tags: 20, answer: 2_000, details: 20_000, category: 60 };

// --- Validation issues ------------------------------------------------------------------------------

/** Stable codes of what can be wrong with an article; the admin CLI prints them. */
export const KB_ISSUE_CODES = {
  KB_FRONT_MATTER: 'The file must start with a "---" front matter block closed by "---".',
  KB_YAML: 'The front matter is not valid YAML.',
  KB_FIELD: 'A front matter field is missing, has the wrong type, or is too long.',
  KB_UNKNOWN_FIELD: 'The front matter has a field the format does not define.',
  KB_SLUG: 'The slug must be lowercase words joined by "-" and equal to the file name.',
  KB_LANGUAGE: 'The language must be en or es and equal to its folder.',
  KB_CATEGORY: 'The category must be lowercase words joined by "-".',
  KB_ANSWER: 'The first paragraph after the front matter (the short answer) is missing or too long.',
  KB_DETAILS: 'The details section is missing or too long.',
  KB_DUPLICATE: 'Two articles have the same slug and language.',
} as const;
export type KbIssueCode = keyof typeof KB_ISSUE_CODES;

export interface KbIssue {
  /** The file (or "<slug>.<language>") the issue is in. */
  where: string;
  code: KbIssueCode;
  message: string;
}

/** VALIDATION_FAILED with every issue found, each `[code] message` under its file. */
export class KbValidationError extends AppError {
  constructor(readonly kbIssues: KbIssue[]) {
    const first = kbIssues[0];
    super(
      'VALIDATION_FAILED',
      first ? `${kbIssues.length} problem(s) in the articles; first: ${first.where}: [${first.code}] ${first.message}` : 'Invalid articles.',
      { issues: kbIssues.slice(0, 20).map((i) => ({ path: i.where, message: `[${i.code}] ${i.message}` })) },
    );
  }
}

const isLanguage = (v: unknown): v is AssistantLanguage => (ASSISTANT_LANGUAGES as readonly unknown[]).includes(v);

// --- Markdown format ----------------------------------------------------------------------------------

export interface ParseContext {
  /** Shown in issues. */
  where: string;
  /** The folder's language and the file name's slug, which the front matter must repeat. */
  language?: string;
  slug?: string;
}

/** One article file → Article, or the issues that keep it from being one. */
export function parseArticle(text: string, ctx: ParseContext): { article: Article; issues: [] } | { article: null; issues: KbIssue[] } {
  const issues: KbIssue[] = [];
  const issue = (code: KbIssueCode, message: string) => issues.push({ where: ctx.where, code, message });
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text);
  if (!m) {
    issue('KB_FRONT_MATTER', KB_ISSUE_CODES.KB_FRONT_MATTER);
    return { article: null, issues };
  }
  let meta: unknown;
  try {
    // failsafe: every scalar stays a string ("2fa", "0.5", "no" are tags, not numbers or booleans).
    meta = parseYaml(m[1]!, { schema: 'failsafe' });
  } catch (err) {
    issue('KB_YAML', `${KB_ISSUE_CODES.KB_YAML} ${(err as Error).message.split('\n')[0]}`);
    return { article: null, issues };
  }
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
    issue('KB_YAML', 'The front matter must be a mapping of keys to values.');
    return { article: null, issues };
  }
  const fields = meta as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(KEYS as readonly string[]).includes(key)) issue('KB_UNKNOWN_FIELD', `Unknown field "${key}"; the fields are ${KEYS.join(', ')}.`);
  }
  const str = (key: string, max: number): string => {
    const v = fields[key];
    if (typeof v !== 'string' || !v.trim()) issue('KB_FIELD', `"${key}" must be a non-empty text.`);
    else if (v.length > max) issue('KB_FIELD', `"${key}" is longer than ${max} characters.`);
    return typeof v === 'string' ? v.trim() : '';
  };
  const list = (key: string, maxItems: number): string[] => {
    const v = fields[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      issue('KB_FIELD', `"${key}" must be a list of texts.`);
      return [];
    }
    const items = (v as string[]).map((x) => x.trim()).filter(Boolean);
    if (items.length > maxItems) issue('KB_FIELD', `"${key}" has more than ${maxItems} items.`);
    if (items.some((x) => x.length > LIMITS.item)) issue('KB_FIELD', `An item of "${key}" is longer than ${LIMITS.item} characters.`);
    return items;
  };
  const slug = str('slug', MAX_KB_SLUG_LENGTH);
  if (slug && !KB_SLUG.test(slug)) issue('KB_SLUG', `"${slug}": ${KB_ISSUE_CODES.KB_SLUG}`);
  if (slug && ctx.slug !== undefined && ctx.slug !== slug) issue('KB_SLUG', `The slug "${slug}" differs from the file name "${ctx.slug}".`);
  const language = str('language', 2);
  if (language && !isLanguage(language)) issue('KB_LANGUAGE', `"${language}": ${KB_ISSUE_CODES.KB_LANGUAGE}`);
  if (language && ctx.language !== undefined && ctx.language !== language) {
    issue('KB_LANGUAGE', `The language "${language}" differs from the folder "${ctx.language}".`);
  }
  const category = str('category', LIMITS.category);
  if (category && !KB_SLUG.test(category)) issue('KB_CATEGORY', `"${category}": ${KB_ISSUE_CODES.KB_CATEGORY}`);
  const title = str('title', LIMITS.title);
  const alternatives = list('alternatives', LIMITS.alternatives);
  const tags = list('tags', LIMITS.tags);

  const { answer, details } = splitBody(m[2]!, isLanguage(language) ? language : 'en');
  if (!answer) issue('KB_ANSWER', KB_ISSUE_CODES.KB_ANSWER);
  else if (answer.length > LIMITS.answer) issue('KB_ANSWER', `The short answer is longer than ${LIMITS.answer} characters.`);
  if (details.length > LIMITS.details) issue('KB_DETAILS', `The details are longer than ${LIMITS.details} characters.`);

  if (issues.length) return { article: null, issues };
  return {
    article: { slug, language: language as AssistantLanguage, category, title, alternatives, tags, answer, details },
    issues: [],
  };
}

/** The body: the first paragraph is the answer; the Details section (either language's heading) is the details. */
function splitBody(body: string, language: AssistantLanguage): { answer: string; details: string } {
  const text = body.replace(/\r\n/g, '\n').trim();
  const heading = /^##[ \t]+(Details|Detalles)[ \t]*$/m.exec(text);
  const head = heading ? text.slice(0, heading.index).trim() : text;
  let details = heading ? text.slice(heading.index + heading[0].length).trim() : '';
  const [first = '', ...rest] = head.split(/\n[ \t]*\n/);
  // Anything between the short answer and the heading belongs to the details, not lost.
  if (rest.length) details = [rest.join('\n\n').trim(), details].filter(Boolean).join('\n\n');
  void language;
  return { answer: first.replace(/\s*\n\s*/g, ' ').trim(), details };
}

/** Article → the file's text, in the shipped format (keys in order, tags as an inline list). */
export function serializeArticle(a: Article): string {
  const doc = new Document({
    slug: a.slug,
    language: a.language,
    category: a.category,
    title: a.title,
    alternatives: a.alternatives,
    tags: a.tags,
  });
  const tags = doc.get('tags', true) as { flow?: boolean } | undefined;
  if (tags) tags.flow = true;
  const front = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
  const details = a.details.trim() ? `\n\n## ${DETAILS_HEADING[a.language]}\n\n${a.details.trim()}` : '';
  return `---\n${front}\n---\n${a.answer.trim()}${details}\n`;
}

/** Slugs of the articles a text links to (`[Title](other-slug)`), in order, once each. */
export function linkedSlugs(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/\]\(([a-z0-9]+(?:-[a-z0-9]+)*)\)/g)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

export function toArticleDto(a: Article): FaqArticleDto {
  return { slug: a.slug, language: a.language, category: a.category, title: a.title, answer: a.answer, details: a.details, tags: a.tags };
}

// --- Folders --------------------------------------------------------------------------------------------

/** Every `<language>/<slug>.md` of a folder, parsed; all issues at once (unknown folders and files are ignored). */
export async function readArticleFolder(dir: string): Promise<Article[]> {
  const files: { where: string; language: string; slug: string; text: string }[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new AppError('NOT_FOUND', `Cannot read the folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  for (const language of entries.filter((e) => isLanguage(e)).sort()) {
    const names = (await readdir(path.join(dir, language))).filter((n) => n.endsWith('.md')).sort();
    for (const name of names) {
      files.push({ where: `${language}/${name}`, language, slug: name.slice(0, -3), text: await readFile(path.join(dir, language, name), 'utf8') });
    }
  }
  return parseFiles(files);
}

function readArticleFolderSync(dir: string): Article[] {
  const files: { where: string; language: string; slug: string; text: string }[] = [];
  for (const language of readdirSync(dir).filter((e) => isLanguage(e)).sort()) {
    for (const name of readdirSync(path.join(dir, language)).filter((n) => n.endsWith('.md')).sort()) {
      files.push({ where: `${language}/${name}`, language, slug: name.slice(0, -3), text: readFileSync(path.join(dir, language, name), 'utf8') });
    }
  }
  return parseFiles(files);
}

function parseFiles(files: { where: string; language: string; slug: string; text: string }[]): Article[] {
  const articles: Article[] = [];
  const issues: KbIssue[] = [];
  for (const f of files) {
    const parsed = parseArticle(f.text, { where: f.where, language: f.language, slug: f.slug });
    if (parsed.article) articles.push(parsed.article);
    else issues.push(...parsed.issues);
  }
  issues.push(...duplicates(articles));
  if (issues.length) throw new KbValidationError(issues);
  return articles;
}

function duplicates(articles: Article[]): KbIssue[] {
  const seen = new Set<string>();
  const issues: KbIssue[] = [];
  for (const a of articles) {
    const key = `${a.slug}.${a.language}`;
    if (seen.has(key)) issues.push({ where: key, code: 'KB_DUPLICATE', message: KB_ISSUE_CODES.KB_DUPLICATE });
    seen.add(key);
  }
  return issues;
}

/** Writes articles as `<dir>/<language>/<slug>.md`; answers how many files were written. */
export async function writeArticleFolder(dir: string, articles: Article[]): Promise<number> {
  for (const language of new Set(articles.map((a) => a.language))) await mkdir(path.join(dir, language), { recursive: true });
  for (const a of articles) await writeFile(path.join(dir, a.language, `${a.slug}.md`), serializeArticle(a));
  return articles.length;
}

/** An article given in code (the CLI, a console): checked like a file would be. */
export function validateArticle(a: Article): Article {
  const parsed = parseArticle(serializeArticle(a), { where: `${a.slug || '?'}.${a.language || '?'}` });
  if (!parsed.article) throw new KbValidationError(parsed.issues);
  return parsed.article;
}

// --- The effective knowledge base of a workspace ---------------------------------------------------------

/**
 * One workspace's articles in one moment. `key` names its content: workspaces without their own articles
 * share the key "default" (and so one search index per language).
 */
export interface EffectiveKb {
  key: string;
  byLanguage: Record<AssistantLanguage, EffectiveArticle[]>;
}

export interface KnowledgeBaseOptions {
  /** The default articles' folder (kb/vpay). */
  defaultsDir?: string;
  invalidation?: InvalidationBus;
  /** How long a workspace's article rows are trusted before their stamp is checked again. */
  cacheTtlMs?: number;
  /** Workspaces whose articles are kept in memory. */
  maxWorkspaces?: number;
  now?: () => number;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
}

interface CachedKb {
  kb: EffectiveKb;
  stamp: string;
  checkedAt: number;
}

type Row = {
  slug: string;
  language: string;
  category: string;
  title: string;
  alternatives: string[];
  tags: string[];
  answer: string;
  details: string;
  status: 'published' | 'archived';
  updatedAt: Date;
};

export class KnowledgeBase {
  private defaultArticles: Article[] | null = null;
  private defaultKb: EffectiveKb | null = null;
  private readonly cache: BoundedCache<CachedKb>;
  private readonly loading = new Map<string, Promise<EffectiveKb>>();
  private readonly invalidation: InvalidationBus;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(workspaceId: string | null) => void>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: KnowledgeBaseOptions = {},
  ) {
    this.invalidation = opts.invalidation ?? new LocalInvalidationBus();
    this.ttlMs = opts.cacheTtlMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.cache = boundedCache<CachedKb>({ max: opts.maxWorkspaces ?? 500 });
    this.invalidation.subscribe((event) => {
      if (event.type === 'kb' || (event.type === 'workspace' && event.deleted)) this.forget(event.workspaceId);
      else if (event.type === 'all') this.forget(null);
    });
  }

  /** Called with a workspace id when its articles changed (null: any may have); search indexes subscribe. */
  onChange(listener: (workspaceId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget a workspace's cached articles (null: every workspace's); the next question reloads them. */
  forget(workspaceId: string | null): void {
    if (workspaceId === null) this.cache.clear();
    else this.cache.delete(workspaceId);
    for (const l of this.listeners) l(workspaceId);
  }

  /** The shipped articles, read once (synchronously: a few hundred small files, at first use). */
  defaults(): Article[] {
    this.defaultArticles ??= readArticleFolderSync(this.opts.defaultsDir ?? DEFAULT_KB_DIR);
    return this.defaultArticles;
  }

  /** The articles a workspace's customers see: defaults, overridden and extended by its rows, minus archived. */
  async effective(workspaceId: string): Promise<EffectiveKb> {
    const cached = this.cache.get(workspaceId);
    const now = this.now();
    if (cached && now - cached.checkedAt < this.ttlMs) return cached.kb;
    const pending = this.loading.get(workspaceId);
    if (pending) return pending;
    const load = this.load(workspaceId, cached).finally(() => this.loading.delete(workspaceId));
    this.loading.set(workspaceId, load);
    return load;
  }

  private async load(workspaceId: string, cached: CachedKb | undefined): Promise<EffectiveKb> {
    // A cheap stamp first: rows written by a process that could not reach our bus are noticed within the TTL,
    // and an unchanged knowledge base is not rebuilt.
    const [stampRow] = await this.prisma.$queryRaw<{ n: bigint; at: Date | null }[]>`
      SELECT count(*) AS "n", max("updatedAt") AS "at" FROM "FaqArticle" WHERE "workspaceId" = ${workspaceId}::uuid`;
    const stamp = `${stampRow?.n ?? 0}:${stampRow?.at?.getTime() ?? 0}`;
    if (cached && cached.stamp === stamp) {
      cached.checkedAt = this.now();
      return cached.kb;
    }
    let kb: EffectiveKb;
    if (!stampRow || stampRow.n === 0n) {
      kb = this.defaultEffective();
    } else {
      const rows = (await this.prisma.faqArticle.findMany({ where: { workspaceId } })) as Row[];
      kb = this.merge(`${workspaceId}:${stamp}`, rows);
    }
    this.cache.set(workspaceId, { kb, stamp, checkedAt: this.now() });
    return kb;
  }

  /** The knowledge base of every workspace without articles of its own. */
  defaultEffective(): EffectiveKb {
    this.defaultKb ??= this.merge('default', []);
    return this.defaultKb;
  }

  private merge(key: string, rows: Row[]): EffectiveKb {
    const byKey = new Map<string, EffectiveArticle>();
    for (const a of this.defaults()) byKey.set(`${a.language}/${a.slug}`, { ...a, origin: 'default' });
    for (const r of rows) {
      if (!isLanguage(r.language)) continue;
      const k = `${r.language}/${r.slug}`;
      if (r.status === 'archived') byKey.delete(k);
      else byKey.set(k, { ...rowToArticle(r), origin: 'workspace' });
    }
    const byLanguage = { en: [], es: [] } as Record<AssistantLanguage, EffectiveArticle[]>;
    for (const a of byKey.values()) byLanguage[a.language].push(a);
    for (const list of Object.values(byLanguage)) list.sort((x, y) => x.slug.localeCompare(y.slug));
    return { key, byLanguage };
  }

  async list(workspaceId: string, language: AssistantLanguage): Promise<EffectiveArticle[]> {
    return (await this.effective(workspaceId)).byLanguage[language];
  }

  async get(workspaceId: string, language: AssistantLanguage, slug: string): Promise<EffectiveArticle | null> {
    return (await this.list(workspaceId, language)).find((a) => a.slug === slug) ?? null;
  }

  /** Adds or replaces the workspace's article of this slug and language (published). */
  async upsert(workspaceId: string, article: Article): Promise<void> {
    const a = validateArticle(article);
    const data = articleColumns(a);
    await this.prisma.faqArticle.upsert({
      where: { workspaceId_slug_language: { workspaceId, slug: a.slug, language: a.language } },
      create: { workspaceId, ...data, status: 'published' },
      update: { ...data, status: 'published' },
    });
    await this.changed(workspaceId);
  }

  /** Hides an article (the workspace's own, or a default one) from the workspace's customers. */
  async archive(workspaceId: string, language: AssistantLanguage, slug: string): Promise<void> {
    const current = await this.get(workspaceId, language, slug);
    if (!current) throw new AppError('NOT_FOUND', `No published article "${slug}" in ${language}.`);
    await this.prisma.faqArticle.upsert({
      where: { workspaceId_slug_language: { workspaceId, slug, language } },
      create: { workspaceId, ...articleColumns(current), status: 'archived' },
      update: { status: 'archived' },
    });
    await this.changed(workspaceId);
  }

  /**
   * Brings an archived article back: a default whose row only archived it returns to the default (the row
   * is removed); the workspace's own article is published again. NOT_FOUND when nothing of that slug is archived.
   */
  async restore(workspaceId: string, language: AssistantLanguage, slug: string): Promise<void> {
    const row = (await this.prisma.faqArticle.findUnique({ where: { workspaceId_slug_language: { workspaceId, slug, language } } })) as Row | null;
    if (!row || row.status !== 'archived') throw new AppError('NOT_FOUND', `No archived article "${slug}" in ${language}.`);
    const shipped = this.defaults().find((a) => a.slug === slug && a.language === language);
    if (shipped && sameArticle(rowToArticle(row), shipped)) {
      await this.prisma.faqArticle.deleteMany({ where: { workspaceId, slug, language, status: 'archived' } });
    } else {
      await this.prisma.faqArticle.updateMany({ where: { workspaceId, slug, language }, data: { status: 'published' } });
    }
    await this.changed(workspaceId);
  }

  /** The workspace's own rows of one language (published and archived), for the console's admin list. */
  async workspaceRows(workspaceId: string, language: AssistantLanguage, limit = 2_000): Promise<(Article & { status: 'published' | 'archived'; updatedAt: Date })[]> {
    const rows = (await this.prisma.faqArticle.findMany({ where: { workspaceId, language }, orderBy: { slug: 'asc' }, take: limit })) as Row[];
    return rows.map((r) => ({ ...rowToArticle(r), status: r.status, updatedAt: r.updatedAt }));
  }

  /** Removes the workspace's own row: a default article of that slug comes back, an addition is gone. */
  async revert(workspaceId: string, language: AssistantLanguage, slug: string): Promise<boolean> {
    const { count } = await this.prisma.faqArticle.deleteMany({ where: { workspaceId, language, slug } });
    if (count) await this.changed(workspaceId);
    return count > 0;
  }

  /**
   * Imports a folder in the shipped format into a workspace: every file is validated first (nothing is
   * written when one is wrong), then each becomes the workspace's published article of its slug and
   * language. Files equal to the effective article are left alone, so importing an export changes nothing.
   */
  async importFolder(workspaceId: string, dir: string): Promise<ImportResult> {
    const articles = await readArticleFolder(dir);
    const current = await this.effective(workspaceId);
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0 };
    const writes: Article[] = [];
    for (const a of articles) {
      const existing = current.byLanguage[a.language].find((e) => e.slug === a.slug);
      if (existing && sameArticle(existing, a)) result.unchanged++;
      else {
        writes.push(a);
        if (existing) result.updated++;
        else result.created++;
      }
    }
    if (writes.length) {
      await this.prisma.$transaction(
        writes.map((a) =>
          this.prisma.faqArticle.upsert({
            where: { workspaceId_slug_language: { workspaceId, slug: a.slug, language: a.language } },
            create: { workspaceId, ...articleColumns(a), status: 'published' },
            update: { ...articleColumns(a), status: 'published' },
          }),
        ),
      );
      await this.changed(workspaceId);
    }
    return result;
  }

  /** Writes the workspace's effective articles (every language) to a folder in the shipped format. */
  async exportFolder(workspaceId: string, dir: string): Promise<number> {
    const kb = await this.effective(workspaceId);
    return writeArticleFolder(dir, [...kb.byLanguage.en, ...kb.byLanguage.es].map(stripOrigin));
  }

  private async changed(workspaceId: string): Promise<void> {
    // The bus calls this process's listeners (forget) before it returns, then tells the other instances.
    await this.invalidation.publish({ type: 'kb', workspaceId });
  }
}

function rowToArticle(r: Row): Article {
  return {
    slug: r.slug,
    language: r.language as AssistantLanguage,
    category: r.category,
    title: r.title,
    alternatives: r.alternatives,
    tags: r.tags,
    answer: r.answer,
    details: r.details,
  };
}

/** An article's own fields (no origin or storage columns). */
export function articleColumns(a: Article) {
  return {
    slug: a.slug,
    language: a.language,
    category: a.category,
    title: a.title,
    alternatives: a.alternatives,
    tags: a.tags,
    answer: a.answer,
    details: a.details,
  };
}

function stripOrigin(a: EffectiveArticle): Article {
  const { origin: _origin, ...article } = a;
  return article;
}

function sameArticle(x: Article, y: Article): boolean {
  return serializeArticle(stripOrigin({ ...x, origin: 'default' })) === serializeArticle(y);
}

/** Whether a category is one of the shipped ones (workspaces may add their own). */
export const isKnownCategory = (c: string): boolean => (KB_CATEGORIES as readonly string[]).includes(c);
