import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KB_CATEGORIES } from '../../../protocol/assistant-values.ts';
import { DEFAULT_KB_DIR, KbValidationError, linkedSlugs, parseArticle, readArticleFolder, serializeArticle, validateArticle, type Article } from './kb.ts';

const article = (over: Partial<Article> = {}): Article => ({
  slug: 'my-article',
  language: 'en',
  category: 'refunds',
  title: 'My article',
  alternatives: ['one way to ask', 'another: with a colon'],
  tags: ['2fa', 'no', '0.5'],
  answer: 'The short answer.',
  details: 'Longer text with a [link](other-slug).',
  ...over,
});

describe('the default knowledge base', () => {
  const files = (lang: string) => readdirSync(path.join(DEFAULT_KB_DIR, lang)).filter((f) => f.endsWith('.md'));

  it('parses every article, and writing one back gives the file byte for byte', async () => {
    const all = await readArticleFolder(DEFAULT_KB_DIR);
    expect(all.length).toBe(files('en').length + files('es').length);
    for (const a of all) {
      expect(serializeArticle(a)).toBe(readFileSync(path.join(DEFAULT_KB_DIR, a.language, `${a.slug}.md`), 'utf8'));
    }
  });

  it('keeps the README rules: ≥ 60 articles per language, twins, known categories, 5–10 alternatives, 3–8 tags, 80–250 words of details, links that resolve', async () => {
    const all = await readArticleFolder(DEFAULT_KB_DIR);
    const by = (lang: string) => new Map(all.filter((a) => a.language === lang).map((a) => [a.slug, a]));
    const en = by('en');
    const es = by('es');
    expect(en.size).toBeGreaterThanOrEqual(60);
    expect([...en.keys()].sort()).toEqual([...es.keys()].sort());
    const problems: string[] = [];
    for (const a of all) {
      const twin = (a.language === 'en' ? es : en).get(a.slug)!;
      if (twin.category !== a.category) problems.push(`${a.slug}: category differs from its twin`);
      if (!(KB_CATEGORIES as readonly string[]).includes(a.category)) problems.push(`${a.slug}: unknown category ${a.category}`);
      if (a.alternatives.length < 5 || a.alternatives.length > 10) problems.push(`${a.slug}.${a.language}: ${a.alternatives.length} alternatives`);
      if (a.tags.length < 3 || a.tags.length > 8) problems.push(`${a.slug}.${a.language}: ${a.tags.length} tags`);
      const words = a.details.split(/\s+/).filter(Boolean).length;
      if (words < 80 || words > 250) problems.push(`${a.slug}.${a.language}: ${words} words of details`);
      for (const link of linkedSlugs(a.details)) if (!by(a.language).has(link)) problems.push(`${a.slug}.${a.language}: broken link ${link}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the article format', () => {
  it('round-trips an article, with tags that YAML would otherwise read as numbers and booleans', () => {
    const a = article();
    const parsed = parseArticle(serializeArticle(a), { where: 'x' });
    expect(parsed.article).toEqual(a);
  });

  it('takes the first paragraph as the answer and the Details (or Detalles) section as details', () => {
    const text = '---\nslug: s\nlanguage: es\ncategory: refunds\ntitle: T\ntags: [a]\n---\nPrimera\nlínea.\n\n## Detalles\n\nTexto.\n';
    const { article: a } = parseArticle(text, { where: 's.md' });
    expect(a).toMatchObject({ answer: 'Primera línea.', details: 'Texto.', alternatives: [] });
  });

  it('reports coded issues, all at once', () => {
    const bad = '---\nslug: Bad Slug\nlanguage: fr\ncategory: refunds\ntitle: ""\ncolour: red\n---\n';
    const { issues } = parseArticle(bad, { where: 'en/x.md', language: 'en', slug: 'x' });
    const codes = issues.map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['KB_UNKNOWN_FIELD', 'KB_SLUG', 'KB_LANGUAGE', 'KB_FIELD', 'KB_ANSWER']));
    expect(parseArticle('no front matter', { where: 'y' }).issues.map((i) => i.code)).toEqual(['KB_FRONT_MATTER']);
    expect(parseArticle('---\nslug: [unclosed\n---\nx', { where: 'y' }).issues.map((i) => i.code)).toEqual(['KB_YAML']);
  });

  it('validates an article given in code as VALIDATION_FAILED with every issue', () => {
    let caught: unknown;
    try {
      validateArticle(article({ slug: 'Nope!', answer: '' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KbValidationError);
    const e = caught as KbValidationError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.kbIssues.map((i) => i.code)).toEqual(expect.arrayContaining(['KB_SLUG', 'KB_ANSWER']));
    expect(e.toBody().issues?.[0]?.message).toMatch(/^\[KB_/);
  });

  describe('folders', () => {
    let dir: string;
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('refuses a folder with a file named after another slug, a folder in the wrong language, or a duplicate', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'kb-test-'));
      await mkdir(path.join(dir, 'en'));
      await mkdir(path.join(dir, 'es'));
      await writeFile(path.join(dir, 'en', 'other-name.md'), serializeArticle(article()));
      await writeFile(path.join(dir, 'es', 'my-article.md'), serializeArticle(article()));
      const err = await readArticleFolder(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KbValidationError);
      const issues = (err as KbValidationError).kbIssues;
      expect(issues.find((i) => i.where === 'en/other-name.md')?.code).toBe('KB_SLUG');
      expect(issues.find((i) => i.where === 'es/my-article.md')?.code).toBe('KB_LANGUAGE');
    });

    it('answers NOT_FOUND for a folder that does not exist', async () => {
      dir = path.join(tmpdir(), 'kb-test-missing-folder');
      await expect(readArticleFolder(dir)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await readFile(path.join(DEFAULT_KB_DIR, 'README.md'), 'utf8')).toContain('File format');
    });
  });
});
