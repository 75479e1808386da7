// Content hashes of build inputs (not mtimes, so a fresh clone builds once): scripts/prepare.mjs rebuilds an
// output when its hash changed, and the tests that run the server bundle refuse a stale one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The server bundle `npm start` runs. */
export const SERVER_BUILD = {
  inputs: ['server', 'protocol', 'package-lock.json', 'prisma/schema.prisma'],
  stamp: 'dist/.server-inputs-hash',
  output: 'dist/server/main.mjs',
};

/** One hash over every file under `inputs` (paths relative to the repository); tests and `test/` folders are no input. */
export function hashInputs(inputs) {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name === 'test' || name.endsWith('.test.ts') || name.endsWith('.test.tsx')) continue;
        walk(path.join(p, name));
      }
    } else {
      h.update(path.relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const input of inputs) walk(path.join(root, input));
  return h.digest('hex');
}

/** null when `build.output` exists and was built from the current inputs; otherwise their hash, to stamp once rebuilt. */
export function rebuildHash(build) {
  const stampFile = path.join(root, build.stamp);
  const hash = hashInputs(build.inputs);
  const fresh = existsSync(path.join(root, build.output)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash;
  return fresh ? null : hash;
}
