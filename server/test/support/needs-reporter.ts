// Ends every vitest run with one line saying what was skipped and why, e.g.
//   skipped: 6 tests need PostgreSQL (DATABASE_URL unset), 3 tests need Chromium (/usr/bin/chromium missing)
// Reasons come from needs() (TaskMeta.skippedFor); a skip without one is counted as such, never hidden.
import type { Reporter, TestModule } from 'vitest/node';

export default class NeedsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const line = skippedLine(testModules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => t.meta().skippedFor)));
    if (line) process.stdout.write(`\n${line}\n`);
  }
}

/** One line for the skipped tests' reasons (undefined = no reason recorded); null when nothing was skipped. */
export function skippedLine(reasons: (string | undefined)[]): string | null {
  if (!reasons.length) return null;
  const counts = new Map<string, number>();
  let unexplained = 0;
  for (const reason of reasons) {
    if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    else unexplained++;
  }
  const tests = (n: number) => `${n} ${n === 1 ? 'test' : 'tests'}`;
  const parts = [...counts].map(([reason, n]) => `${tests(n)} ${n === 1 ? 'needs' : 'need'} ${reason}`);
  if (unexplained) parts.push(`${tests(unexplained)} without a recorded reason`);
  return `skipped: ${parts.join(', ')}`;
}
