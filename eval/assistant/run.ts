// npm run eval:assistant [-- --split all|train|heldout] [--calibrate] [--verbose]
// Seeds a fresh database (embedded PGlite by default; PostgreSQL with DATABASE_URL), runs the embedded engine
// on every labelled question and prints top-1 accuracy per kind and language, for the training split (what
// the lexicon and calibration were tuned on), the held-out split (never looked at while tuning) and both;
// then lists the misses. A benchmark, not a test: it always exits 0 unless it crashes.
import { createHash } from 'node:crypto';
import { formatAmount } from '../../protocol/amounts.ts';
import type { AssistantLanguage } from '../../protocol/assistant-values.ts';
import { openDatabase } from '../../server/db/client.ts';
import type { AnswerInput, AssistantAnswer } from '../../server/services/assistant/answerer.ts';
import { CALIBRATION } from '../../server/services/assistant/search.ts';
import { createServices } from '../../server/services/index.ts';
import { createTestDatabase } from '../../server/test/support/database.ts';
import { byRef, CUSTOMER, DECOY_NAMES, EVAL_NOW, hashOf, PAYMENTS } from './fixture.ts';
import { calibrate, type Sample } from './calibrate.ts';
import { seedFixture } from './seed.ts';
import { ADVERSARIAL_CASES, HANDOFF_CASES, PAYMENT_CASES, SIGN_IN_CASES, SMALLTALK_CASES, UNANSWERABLE_CASES, type RouteCase } from './set/conversation.ts';
import { FAQ_EN, type FaqCase } from './set/faq-en.ts';
import { FAQ_ES } from './set/faq-es.ts';

type Kind = 'faq' | 'payments' | 'sign-in' | 'handoff' | 'smalltalk' | 'unanswerable' | 'adversarial';
type Split = 'train' | 'heldout';

interface Outcome {
  kind: Kind;
  lang: AssistantLanguage;
  split: Split;
  question: string;
  ok: boolean;
  leak: string | null;
  why: string;
}

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');

/** A quarter of every kind is held out, chosen by a hash of the question (stable, blind to the engine). */
export function splitOf(kind: string, question: string): Split {
  return createHash('sha256').update(`${kind}\n${question}`).digest()[0]! % 4 === 0 ? 'heldout' : 'train';
}

async function main() {
  const embedded = args.includes('--embedded') || !process.env.DATABASE_URL;
  const testDb = await createTestDatabase({ embedded });
  const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
  const started = performance.now();
  try {
    await db.migrate();
    const services = createServices({ prisma: db.prisma, baseUrl: () => 'https://eval.example' });
    const seeded = await seedFixture(services, db.prisma);
    const assistant = services.assistant;
    const customer = { kind: 'customer' as const, externalId: CUSTOMER.externalId };
    const ask = (text: string, locale: AssistantLanguage, principal: AnswerInput['principal'] = { kind: 'visitor' }) =>
      assistant.answer({ workspaceId: seeded.workspaceId, principal, text, locale, now: EVAL_NOW });

    const leakChecker = makeLeakChecker(seeded.ids);
    const outcomes: Outcome[] = [];
    const samples: Sample[] = [];
    const push = (o: Omit<Outcome, 'split' | 'leak'>, answer: AssistantAnswer) => {
      const leak = leakChecker(answer);
      outcomes.push({ ...o, split: splitOf(o.kind, o.question), leak, ok: o.ok && !leak, why: leak ? `LEAK ${leak}; ${o.why}` : o.why });
    };

    // Knowledge-base questions, as an anonymous visitor. Every 7th Spanish one is asked from an English widget.
    const faq: [FaqCase, AssistantLanguage, AssistantLanguage][] = [
      ...FAQ_EN.map((c) => [c, 'en', 'en'] as [FaqCase, AssistantLanguage, AssistantLanguage]),
      ...FAQ_ES.map((c, i) => [c, 'es', i % 7 === 3 ? 'en' : 'es'] as [FaqCase, AssistantLanguage, AssistantLanguage]),
    ];
    for (const [[q, slug, also = []], lang, locale] of faq) {
      const a = await ask(q, locale);
      const top = a.sources.articles[0];
      const right = top === slug || also.includes(top ?? '');
      const ok = right && (a.route === 'faq' || a.route === 'sign-in') && a.language === lang;
      push({ kind: 'faq', lang, question: q, ok, why: `expected ${slug}, got ${a.route} ${a.sources.articles.slice(0, 2).join(',') || '-'} (${a.confidence.toFixed(2)}) ${a.language}` }, a);
      const retrieval = await assistant.search.retrieve(seeded.workspaceId, lang, q);
      if (splitOf('faq', q) === 'train') samples.push({ features: retrieval.features, correct: retrieval.hits[0]?.article.slug === slug || also.includes(retrieval.hits[0]?.article.slug ?? '') });
    }
    for (const c of UNANSWERABLE_CASES) {
      const retrieval = await assistant.search.retrieve(seeded.workspaceId, c.lang, c.q);
      if (splitOf('unanswerable', c.q) === 'train') samples.push({ features: retrieval.features, correct: false });
    }

    // Own payments, asked by the fixture's customer.
    for (const c of PAYMENT_CASES) {
      const q = expand(c.q);
      const a = await ask(q, c.lang, customer);
      const problems: string[] = [];
      if (a.route !== 'payments') problems.push(`route ${a.route}`);
      if (!a.paymentTools.includes(c.tool)) problems.push(`tool ${a.paymentTools.join(',') || '-'} ≠ ${c.tool}`);
      const want = new Set(c.refs.map((r) => seeded.ids.get(r)!));
      const got = new Set(a.sources.payments);
      if (want.size !== got.size || [...want].some((id) => !got.has(id))) problems.push(`payments [${refsOf(a.sources.payments, seeded.ids)}] ≠ [${c.refs}]`);
      for (const amount of c.amounts ?? []) {
        if (!hasAmount(a.text, amount, c.lang)) problems.push(`no exact amount ${formatAmount(amount, c.lang)}`);
      }
      for (const t of c.texts ?? []) if (!a.text.includes(t)) problems.push(`missing "${t}"`);
      if (c.receipt && !a.actions.some((x) => x.type === 'receipt' && x.paymentId === seeded.ids.get(c.receipt!))) problems.push(`no receipt action for ${c.receipt}`);
      if (c.article && !a.sources.articles.includes(c.article)) problems.push(`article ${a.sources.articles.join(',') || '-'} ≠ ${c.article}`);
      if (a.language !== c.lang) problems.push(`language ${a.language}`);
      push({ kind: 'payments', lang: c.lang, question: q, ok: problems.length === 0, why: problems.join('; ') || 'ok' }, a);
    }

    const routeCases = async (kind: Kind, cases: readonly RouteCase[], principal: AnswerInput['principal']) => {
      for (const c of cases) {
        const q = expand(c.q);
        const a = await ask(q, c.lang, principal);
        const problems: string[] = [];
        if (!c.routes.includes(a.route)) problems.push(`route ${a.route} ∉ ${c.routes.join('|')}`);
        if (c.handoff && !a.handoff) problems.push('handoff not set');
        if (!c.handoff && a.handoff) problems.push('handoff set');
        if (c.never?.test(a.text)) problems.push(`says ${c.never}`);
        if (c.refs) {
          const want = c.refs.map((r) => seeded.ids.get(r)!);
          if (want.length !== a.sources.payments.length || want.some((id) => !a.sources.payments.includes(id))) {
            problems.push(`payments [${refsOf(a.sources.payments, seeded.ids)}] ≠ [${c.refs}]`);
          }
        }
        if (a.language !== c.lang) problems.push(`language ${a.language}`);
        push({ kind, lang: c.lang, question: q, ok: problems.length === 0, why: problems.join('; ') || 'ok' }, a);
      }
    };
    await routeCases('sign-in', SIGN_IN_CASES, { kind: 'visitor' });
    await routeCases('handoff', HANDOFF_CASES, customer);
    await routeCases('smalltalk', SMALLTALK_CASES, customer);
    await routeCases('unanswerable', UNANSWERABLE_CASES, customer);
    await routeCases('adversarial', ADVERSARIAL_CASES, customer);

    report(outcomes, performance.now() - started, db.kind);
    if (args.includes('--calibrate')) printCalibration(samples);
  } finally {
    await db.close();
    await testDb.drop();
  }
}

/** {hash:<ref>:<n>} → the first n characters of that payment's hash. */
function expand(q: string): string {
  return q.replace(/\{hash:(\w+):(\d+)\}/g, (_, ref: string, n: string) => hashOf(ref).slice(0, Number(n)));
}

function refsOf(ids: string[], map: Map<string, string>): string {
  const back = new Map([...map].map(([ref, id]) => [id, ref]));
  return ids.map((id) => back.get(id) ?? id.slice(0, 8)).join(',');
}

/** The amount exactly as the customer's language writes it, followed by its token. */
function hasAmount(text: string, amount: string, lang: AssistantLanguage): boolean {
  const shown = formatAmount(amount, lang).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\d.,])${shown} (VRC|USDC)`).test(text);
}

/** Anything of a decoy (another customer's or another workspace's payment) in an answer. */
function makeLeakChecker(ids: Map<string, string>) {
  const needles: [string, string][] = [];
  for (const p of PAYMENTS.filter((x) => x.decoy)) {
    needles.push([ids.get(p.ref)!, `${p.ref} id`]);
    for (const lang of ['en', 'es'] as const) needles.push([`${formatAmount(p.amount, lang)} ${p.token}`, `${p.ref} amount`]);
    needles.push([p.amount, `${p.ref} amount`]);
    if (p.hash) needles.push([hashOf(p.ref).slice(0, 10), `${p.ref} hash`]);
  }
  for (const name of DECOY_NAMES) needles.push([name.toLowerCase(), `decoy name ${name}`]);
  return (a: AssistantAnswer): string | null => {
    const haystack = `${a.text}\n${JSON.stringify(a.actions)}\n${JSON.stringify(a.sources)}\n${a.followUps.join('\n')}`.toLowerCase();
    for (const [needle, what] of needles) {
      if (/^[\d.]+$/.test(needle)) {
        if (new RegExp(`(^|[^\\d.,])${needle.replace('.', '\\.')}([^\\d]|$)`).test(haystack)) return what;
      } else if (haystack.includes(needle.toLowerCase())) return what;
    }
    return null;
  };
}

function pct(ok: number, n: number): string {
  return n ? `${((100 * ok) / n).toFixed(1)}% (${ok}/${n})` : '—';
}

function report(outcomes: Outcome[], ms: number, dbKind: string) {
  const kinds: Kind[] = ['faq', 'payments', 'sign-in', 'handoff', 'smalltalk', 'unanswerable', 'adversarial'];
  console.log(`eval:assistant — ${outcomes.length} questions on ${dbKind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'}, ${Math.round(ms)} ms in all`);
  console.log('');
  const header = `${'kind'.padEnd(13)}${'lang'.padEnd(6)}${'held-out'.padEnd(20)}${'train'.padEnd(20)}all`;
  console.log(header);
  console.log('-'.repeat(header.length + 14));
  for (const kind of kinds) {
    for (const lang of ['en', 'es', 'all'] as const) {
      const rows = outcomes.filter((o) => o.kind === kind && (lang === 'all' || o.lang === lang));
      if (!rows.length || (lang === 'all' && new Set(rows.map((r) => r.lang)).size < 2)) continue;
      const cell = (split?: Split) => {
        const r = split ? rows.filter((o) => o.split === split) : rows;
        return pct(r.filter((o) => o.ok).length, r.length);
      };
      console.log(`${kind.padEnd(13)}${lang.padEnd(6)}${cell('heldout').padEnd(20)}${cell('train').padEnd(20)}${cell()}`);
    }
  }
  const leaks = outcomes.filter((o) => o.leak);
  console.log('');
  console.log(`leaks: ${leaks.length}${leaks.length ? ` — ${leaks.map((l) => `${l.leak} in "${l.question}"`).join('; ')}` : ''}`);
  console.log(`calibration: answer ≥ ${CALIBRATION.ANSWER_AT}, clarify ≥ ${CALIBRATION.CLARIFY_AT}`);
  const misses = outcomes.filter((o) => !o.ok);
  console.log('');
  console.log(`misses (${misses.length}):`);
  for (const m of misses) console.log(`  [${m.kind}/${m.lang}/${m.split}] ${m.question}\n      ${m.why}`);
  if (verbose) for (const o of outcomes.filter((x) => x.ok)) console.log(`  ok [${o.kind}/${o.lang}] ${o.question} — ${o.why}`);
}

function printCalibration(samples: Sample[]) {
  const fit = calibrate(samples);
  console.log('');
  console.log(`calibration fit on ${samples.length} training questions (${samples.filter((s) => s.correct).length} with the right top article):`);
  console.log(`  bias ${fit.bias.toFixed(2)}, coverage ${fit.coverage.toFixed(2)}, phrasing ${fit.phrasing.toFixed(2)}, margin ${fit.margin.toFixed(2)}, novelty ${fit.novelty.toFixed(2)}`);
  console.log('  threshold  answered  precision-when-answered');
  for (const row of fit.table) console.log(`  ${row.threshold.toFixed(2).padEnd(11)}${pct(row.answered, samples.length).padEnd(22)}${pct(row.correct, row.answered)}`);
}

void byRef;
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
