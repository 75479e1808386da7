// The server as `npm start` runs it: the bundle dist/server/main.mjs in a child process, with only the
// environment given. A missing or stale bundle fails the test rather than testing other code than the sources.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { rebuildHash, SERVER_BUILD } from '../../../scripts/build-inputs.mjs';
import { REPO_ROOT } from '../../paths.ts';

export interface ServerRun {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  /** Output so far; complete once `exited` resolves. */
  run: ServerRun;
  exited: Promise<ServerRun>;
  /** The URL the start-up banner prints; rejects if the process exits first. */
  ready: Promise<string>;
}

export function spawnServer(env: Record<string, string>): ServerProcess {
  if (rebuildHash(SERVER_BUILD) !== null) {
    throw new Error(`${SERVER_BUILD.output} is missing or older than its sources: run \`node scripts/prepare.mjs\` (npm test does).`);
  }
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, SERVER_BUILD.output)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: ServerRun = { stdout: '', stderr: '', code: null, signal: null };
  child.stdout.on('data', (d) => (run.stdout += d));
  child.stderr.on('data', (d) => (run.stderr += d));
  const exited = new Promise<ServerRun>((resolve) =>
    child.on('exit', (code, signal) => {
      run.code = code;
      run.signal = signal;
      resolve(run);
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /VeryChat is running at (\S+)/.exec(run.stdout);
      // It listens on 127.0.0.1: skip resolving "localhost" (which may prefer ::1).
      if (m) resolve(m[1]!.replace('//localhost:', '//127.0.0.1:'));
    });
    void exited.then(() => reject(new Error(`server exited early (${run.code}): ${run.stderr}${run.stdout}`)));
  });
  ready.catch(() => {}); // callers that expect an early exit await `exited` instead
  return { child, run, exited, ready };
}

/** SIGTERM, then wait for the exit (at once if it already exited). */
export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
