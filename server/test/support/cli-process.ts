// The CLIs as people run them (`npm run verychat -- …` and `npm run db:deploy` run tsx on these sources), as
// child processes with only the environment given. They run in an empty directory so that no `.env` of the
// developer's is read.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../paths.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const SCRIPTS = { admin: 'server/cli/admin.ts', db: 'server/cli/db.ts' } as const;
const cwd = mkdtempSync(path.join(tmpdir(), 'verychat-cli-'));

export function runCli(cli: keyof typeof SCRIPTS, args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, SCRIPTS[cli]), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: CliRun = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (run.stdout += d));
  child.stderr.on('data', (d) => (run.stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}

/** `npm run verychat -- <args>` */
export const admin = (env: Record<string, string>, ...args: string[]) => runCli('admin', args, env);
