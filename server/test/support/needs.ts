// Tests that need PostgreSQL, Redis or Chromium say so here, so a missing part is never skipped in silence:
// - locally the suite is skipped, and the run ends with one line naming what was skipped and why
//   (needs-reporter.ts, a vitest reporter);
// - with CI=true it fails instead, unless VERYCHAT_TEST_EMBEDDED_ONLY=1 declares PostgreSQL and Redis off
//   on purpose (the embedded-defaults pass of .ci/run). Chromium is required under CI in every pass.
//
//   needs('postgres', 'redis').describe('two nodes through Redis', () => { … });
//   needs('postgres').it('honours ?schema=', async () => { … });
import { existsSync } from 'node:fs';
import { describe, it, type TestFunction, type TestOptions } from 'vitest';

export type Need = 'postgres' | 'redis' | 'chromium';

type Env = Record<string, string | undefined>;

const chromiumPath = (env: Env) => env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The browser the browser tests drive (Debian's package; CHROMIUM_PATH overrides). */
export const CHROMIUM_PATH = chromiumPath(process.env);

/** Declares PostgreSQL and Redis off on purpose: tests needing them skip, and say so, even under CI. */
export const EMBEDDED_ONLY = 'VERYCHAT_TEST_EMBEDDED_ONLY';

declare module 'vitest' {
  interface TaskMeta {
    /** Why a test was skipped ("PostgreSQL (DATABASE_URL unset)"): set by needs(), counted by the needs reporter. */
    skippedFor?: string;
  }
}

interface Part {
  label: string;
  /** Set for services (PostgreSQL, Redis): the variable that points the tests at one. */
  variable?: string;
  present(env: Env): boolean;
  /** What is missing, for the messages. */
  absent(env: Env): string;
}

const service = (label: string, variable: string): Part => ({
  label,
  variable,
  present: (env) => Boolean(env[variable]?.trim()),
  absent: () => `${variable} unset`,
});

const PARTS: Record<Need, Part> = {
  postgres: service('PostgreSQL', 'DATABASE_URL'),
  redis: service('Redis', 'REDIS_URL'),
  chromium: { label: 'Chromium', present: (env) => existsSync(chromiumPath(env)), absent: (env) => `${chromiumPath(env)} missing` },
};

export type Verdict = { kind: 'run' } | { kind: 'skip'; reason: string } | { kind: 'fail'; message: string };

const isOn = (value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value !== 'false';
const labels = (parts: Part[]) => parts.map((p) => p.label).join(' and ');

/** Whether tests needing `needed` run, are skipped (and why), or fail (and why), in this environment. */
export function decide(needed: Need[], env: Env): Verdict {
  const parts = needed.map((n) => PARTS[n]);
  const offOnPurpose = isOn(env[EMBEDDED_ONLY]) ? parts.filter((p) => p.variable) : [];
  const contradicted = offOnPurpose.filter((p) => p.present(env));
  if (contradicted.length) {
    return { kind: 'fail', message: `${EMBEDDED_ONLY}=1 turns ${labels(contradicted)} off, yet ${contradicted.map((p) => p.variable).join(' and ')} is set.` };
  }
  const missing = parts.filter((p) => !offOnPurpose.includes(p) && !p.present(env));
  if (missing.length) {
    const reason = `${labels(missing)} (${missing.map((p) => p.absent(env)).join(', ')})`;
    if (isOn(env.CI)) return { kind: 'fail', message: `Needs ${reason}: with CI=true a missing part fails instead of skipping.` };
    return { kind: 'skip', reason };
  }
  if (offOnPurpose.length) return { kind: 'skip', reason: `${labels(offOnPurpose)} (off on purpose: ${EMBEDDED_ONLY}=1)` };
  return { kind: 'run' };
}

type SuiteArgs = [body: () => void] | [options: TestOptions, body: () => void];
type TestArgs = [fn: TestFunction] | [options: TestOptions, fn: TestFunction];

/** `describe` and `it` that run, skip with a recorded reason, or fail, as decide() says for this process. */
export function needs(...needed: Need[]) {
  const verdict = decide(needed, process.env);
  const failing = (message: string) => () => {
    throw new Error(message);
  };
  return {
    describe(name: string, ...args: SuiteArgs): void {
      const [options, body] = args.length === 1 ? [{}, args[0]] : args;
      if (verdict.kind === 'run') describe(name, options, body);
      else if (verdict.kind === 'skip') describe.skip(name, { ...options, meta: { skippedFor: verdict.reason } }, body);
      // The body is not collected: its hooks would only fail more obscurely on the missing part.
      else describe(name, options, () => it(`needs ${labels(needed.map((n) => PARTS[n]))}`, failing(verdict.message)));
    },
    it(name: string, ...args: TestArgs): void {
      const [options, fn] = args.length === 1 ? [{}, args[0]] : args;
      if (verdict.kind === 'run') it(name, options, fn);
      else if (verdict.kind === 'skip') it.skip(name, { ...options, meta: { skippedFor: verdict.reason } }, fn);
      else it(name, options, failing(verdict.message));
    },
  };
}
