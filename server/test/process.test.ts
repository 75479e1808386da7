// The real entry point (the bundle `npm start` runs) as a child process: config errors, first and second
// start, graceful shutdown.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/database.ts';
import { spawnServer } from './support/server-process.ts';

/** The bundle `npm start` runs, as a test process with NODE_ENV=test. */
const startServer = (env: Record<string, string>) => spawnServer({ NODE_ENV: 'test', ...env });

describe('configuration errors', () => {
  it('stop start-up with one line naming the variable', async () => {
    const { exited } = startServer({ PORT: 'abc' });
    const run = await exited;
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid configuration: PORT — expected a whole number');
  });
});

describe('start, restart and graceful shutdown', () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(() => drop?.());

  it('bootstraps once, keeps data across restarts, and exits cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const env: Record<string, string> = { PORT: '0', DATA_DIR: db.dataDir, LOG_LEVEL: 'info' };
    if (db.databaseUrl) env.DATABASE_URL = db.databaseUrl;

    const first = startServer(env);
    const url = await first.ready;
    const health = await (await fetch(`${url}/health`)).json();
    expect(health.status).toBe('ok');
    const siteKey = /Demo site key\s+(pk_\S+)/.exec(first.run.stdout)?.[1];
    const password = /Agent password\s+(\S+)/.exec(first.run.stdout)?.[1];
    expect(siteKey).toBeTruthy();
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);

    // The printed credentials work.
    const login = await fetch(`${url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'demo@verychat.local', password }),
    });
    expect(login.status).toBe(200);
    // The password went to the terminal banner only, never into a log line.
    const logLines = first.run.stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(password!);
    const secret = /Demo secret\s+(sk_\S+)/.exec(first.run.stdout)?.[1];
    expect(secret).toBeTruthy();
    expect(logLines.join('\n')).not.toContain(secret!);

    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    // Exit code 0 without process.exit(): the event loop emptied, so nothing was left open.
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('"msg":"stopped"');

    const second = startServer(env);
    const url2 = await second.ready;
    expect(second.run.stdout).toContain(`Demo site key     ${siteKey}`);
    expect(second.run.stdout).not.toContain('Agent password');
    expect(second.run.stdout).not.toContain(secret!);
    const again = await fetch(`${url2}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'demo@verychat.local', password }),
    });
    expect(again.status).toBe(200);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  }, 90_000);
});
