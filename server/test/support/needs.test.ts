// The skip policy itself: run, skip with a reason, or fail under CI.
import { describe, expect, it } from 'vitest';
import { skippedLine } from './needs-reporter.ts';
import { decide, EMBEDDED_ONLY } from './needs.ts';

const PG = { DATABASE_URL: 'postgresql://x@127.0.0.1/db' };
const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };
const NO_BROWSER = { CHROMIUM_PATH: '/nonexistent/chromium' };

describe('needs(): what happens to a test that needs a part', () => {
  it('runs when the part is there', () => {
    expect(decide(['postgres', 'redis'], { ...PG, ...REDIS })).toEqual({ kind: 'run' });
    expect(decide(['postgres'], { ...PG, CI: 'true' })).toEqual({ kind: 'run' });
  });

  it('is skipped locally, saying what is missing', () => {
    expect(decide(['postgres', 'redis'], { ...PG })).toEqual({ kind: 'skip', reason: 'Redis (REDIS_URL unset)' });
    expect(decide(['postgres', 'redis'], {})).toEqual({ kind: 'skip', reason: 'PostgreSQL and Redis (DATABASE_URL unset, REDIS_URL unset)' });
    expect(decide(['chromium'], NO_BROWSER)).toEqual({ kind: 'skip', reason: 'Chromium (/nonexistent/chromium missing)' });
  });

  it('fails under CI=true when a part is missing', () => {
    const verdict = decide(['postgres'], { CI: 'true' });
    expect(verdict).toEqual({ kind: 'fail', message: 'Needs PostgreSQL (DATABASE_URL unset): with CI=true a missing part fails instead of skipping.' });
    expect(decide(['chromium'], { ...NO_BROWSER, CI: '1' }).kind).toBe('fail');
    expect(decide(['postgres'], { CI: 'false' }).kind).toBe('skip');
  });

  it('skips PostgreSQL and Redis on purpose in the embedded-only pass, even under CI, but never Chromium', () => {
    const embedded = { CI: 'true', [EMBEDDED_ONLY]: '1' };
    expect(decide(['postgres', 'redis'], embedded)).toEqual({ kind: 'skip', reason: `PostgreSQL and Redis (off on purpose: ${EMBEDDED_ONLY}=1)` });
    expect(decide(['chromium'], { ...embedded, ...NO_BROWSER }).kind).toBe('fail');
    // Services said to be off must be off.
    expect(decide(['postgres'], { ...embedded, ...PG })).toEqual({ kind: 'fail', message: `${EMBEDDED_ONLY}=1 turns PostgreSQL off, yet DATABASE_URL is set.` });
  });
});

describe('the closing line', () => {
  it('counts skips by reason, and those without one', () => {
    expect(skippedLine([])).toBeNull();
    const pg = 'PostgreSQL (DATABASE_URL unset)';
    expect(skippedLine([pg, pg, 'Chromium (/usr/bin/chromium missing)', undefined])).toBe(
      'skipped: 2 tests need PostgreSQL (DATABASE_URL unset), 1 test needs Chromium (/usr/bin/chromium missing), 1 test without a recorded reason',
    );
  });
});
