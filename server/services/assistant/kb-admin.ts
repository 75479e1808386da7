// The knowledge base and the assistant's misses as the console's admins see them (issue 10 point 9): effective
// articles with their origin (default, the workspace's own, archived), edits checked with the import's format
// rules, archive and restore, and the questions the assistant could not answer (not-sure, clarify, or voted
// down), grouped, counted and each with the article search ranks first now. Every change goes through the
// KnowledgeBase, which announces it on the invalidation bus: every instance's search index is rebuilt at once.
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';
import type { KbArticleDto, UnansweredQuestionDto } from '../../../protocol/console.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { AssistantService } from './assistant.service.ts';
import { articleColumns, type Article, type EffectiveArticle } from './kb.ts';
import { fold, words } from './text.ts';

const MAX_ALTERNATIVES = 30;
/** Misses read per request (most recent first): bounds the grouping work. */
const MAX_MISSES = 5_000;

export class KbAdmin {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly assistant: AssistantService,
  ) {}

  private get kb() {
    return this.assistant.kb;
  }

  async list(workspaceId: string, language: AssistantLanguage): Promise<KbArticleDto[]> {
    const [effective, rows] = await Promise.all([this.kb.list(workspaceId, language), this.kb.workspaceRows(workspaceId, language)]);
    const updated = new Map(rows.map((r) => [r.slug, r.updatedAt]));
    const shipped = new Set(this.kb.defaults().filter((d) => d.language === language).map((d) => d.slug));
    const out = effective.map((a) => this.toDto(a, a.origin, updated.get(a.slug) ?? null, shipped));
    for (const r of rows) if (r.status === 'archived') out.push(this.toDto(r, 'archived', r.updatedAt, shipped));
    return out.sort((x, y) => x.slug.localeCompare(y.slug));
  }

  async get(workspaceId: string, language: AssistantLanguage, slug: string): Promise<KbArticleDto> {
    const found = (await this.list(workspaceId, language)).find((a) => a.slug === slug);
    if (!found) throw new AppError('ARTICLE_NOT_FOUND', `No article "${slug}" in ${language}.`);
    return found;
  }

  /** Creates the workspace's article, or overrides the default of that slug (validated like an import). */
  async put(workspaceId: string, language: AssistantLanguage, slug: string, input: Omit<Article, 'slug' | 'language'>): Promise<KbArticleDto> {
    await this.kb.upsert(workspaceId, { ...input, slug, language });
    return this.get(workspaceId, language, slug);
  }

  async archive(workspaceId: string, language: AssistantLanguage, slug: string): Promise<KbArticleDto> {
    await this.kb.archive(workspaceId, language, slug);
    return this.get(workspaceId, language, slug);
  }

  async restore(workspaceId: string, language: AssistantLanguage, slug: string): Promise<KbArticleDto> {
    await this.kb.restore(workspaceId, language, slug);
    return this.get(workspaceId, language, slug);
  }

  /** Questions answered not-sure or clarify, or voted down, since `from`: grouped by their words, most asked first. */
  async unanswered(workspaceId: string, from: Date, limit: number): Promise<UnansweredQuestionDto[]> {
    const rows = await this.prisma.aiInteraction.findMany({
      where: { workspaceId, createdAt: { gte: from }, OR: [{ route: { in: ['not-sure', 'clarify'] } }, { feedback: 'down' }] },
      select: { question: true, language: true, route: true, feedback: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
      take: MAX_MISSES,
    });
    const groups = new Map<string, Omit<UnansweredQuestionDto, 'bestGuess'>>();
    for (const r of rows) {
      const language = r.language === 'es' ? 'es' : 'en';
      const key = `${language}:${words(fold(r.question)).join(' ').slice(0, 200)}`;
      if (key.length <= 3) continue;
      let g = groups.get(key);
      if (!g) {
        g = { question: r.question.slice(0, 200), language, count: 0, notSure: 0, downVotes: 0, lastAskedAt: r.createdAt.toISOString() };
        groups.set(key, g);
      }
      g.count++;
      if (r.route === 'not-sure' || r.route === 'clarify') g.notSure++;
      if (r.feedback === 'down') g.downVotes++;
    }
    const top = [...groups.values()].sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt)).slice(0, limit);
    return Promise.all(
      top.map(async (g) => {
        const best = (await this.assistant.search.retrieve(workspaceId, g.language, g.question, 1)).hits[0];
        return { ...g, bestGuess: best ? { slug: best.article.slug, title: best.article.title, score: best.score } : null };
      }),
    );
  }

  /** Adds `question` as another phrasing of the article (the workspace's override row), so it is found next time. */
  async addAlternative(workspaceId: string, input: { question: string; lang: AssistantLanguage; slug: string }): Promise<KbArticleDto> {
    const current = await this.kb.get(workspaceId, input.lang, input.slug);
    if (!current) throw new AppError('ARTICLE_NOT_FOUND', `No published article "${input.slug}" in ${input.lang}.`);
    const question = input.question.replace(/\s+/g, ' ').trim();
    const folded = fold(question);
    if (!current.alternatives.some((a) => fold(a) === folded) && fold(current.title) !== folded) {
      if (current.alternatives.length >= MAX_ALTERNATIVES) {
        throw new AppError('VALIDATION_FAILED', `The article already has ${MAX_ALTERNATIVES} alternative phrasings; edit it to make room.`);
      }
      await this.kb.upsert(workspaceId, { ...strip(current), alternatives: [...current.alternatives, question] });
    }
    return this.get(workspaceId, input.lang, input.slug);
  }

  private toDto(a: Article, origin: KbArticleDto['origin'], updatedAt: Date | null, shipped: ReadonlySet<string>): KbArticleDto {
    return {
      ...articleColumns(a),
      origin,
      hasDefault: shipped.has(a.slug),
      updatedAt: updatedAt?.toISOString() ?? null,
    };
  }
}

function strip(a: EffectiveArticle): Article {
  const { origin: _origin, ...article } = a;
  return article;
}
