#!/usr/bin/env node
// Builds what `npm start` / `npm test` need, only when its inputs changed: the Prisma client and the widget bundles.
// Content hashes (not mtimes) decide, so a fresh clone builds once and later starts skip straight to the server.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { rebuildHash, root, SERVER_BUILD } from './build-inputs.mjs';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function step(label, { inputs, stamp, output, run }) {
  const hash = rebuildHash({ inputs, stamp, output });
  if (hash === null) return;
  const t0 = Date.now();
  process.stdout.write(`[prepare] ${label}… `);
  const [cmd, ...args] = run;
  const res = spawnSync(cmd, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false' },
  });
  if (res.status !== 0) {
    process.stdout.write('failed\n');
    process.stderr.write(res.stdout?.toString() ?? '');
    process.stderr.write(res.stderr?.toString() ?? '');
    process.exit(res.status ?? 1);
  }
  const stampFile = path.join(root, stamp);
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, hash);
  process.stdout.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

step('generating the Prisma client', {
  inputs: ['prisma/schema.prisma', 'package-lock.json'],
  stamp: 'server/db/generated/.inputs-hash',
  output: 'server/db/generated/client.ts',
  run: [bin('prisma'), 'generate'],
});

// The server runs as one esbuild bundle (dependencies stay in node_modules): it starts faster than
// transpiling on the fly, and `npm run dev` still runs the sources through tsx. PGlite's worker thread
// is an entry of its own, dist/server/db/pglite-worker-entry.mjs (server/db/pglite-worker.ts finds it
// there); like main.mjs it imports @electric-sql/pglite from node_modules, which finds its wasm and data
// files beside itself.
const PGLITE_WORKER_BUNDLE = 'dist/server/db/pglite-worker-entry.mjs';
// Built with main.mjs (one esbuild run, one stamp): if it alone went missing, forget the stamp to rebuild both.
if (!existsSync(path.join(root, PGLITE_WORKER_BUNDLE))) rmSync(path.join(root, SERVER_BUILD.stamp), { force: true });
step('bundling the server', {
  ...SERVER_BUILD,
  run: [
    bin('esbuild'),
    'server/main.ts',
    'server/cli/admin.ts',
    'server/cli/db.ts',
    'server/db/pglite-worker-entry.ts',
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--packages=external',
    '--sourcemap',
    '--outdir=dist/server',
    '--outbase=server',
    '--out-extension:.js=.mjs',
    '--log-level=warning',
  ],
});

if (existsSync(path.join(root, 'rollup.config.mjs'))) {
  step('building the widget', {
    inputs: ['widget', 'console', 'protocol', 'rollup.config.mjs', 'package-lock.json'],
    stamp: 'dist/.widget-inputs-hash',
    output: 'dist/public/widget.js',
    run: ['sh', '-c', `'${bin('rollup')}' -c --silent && node scripts/compress-dist.mjs dist/public`],
  });
}
