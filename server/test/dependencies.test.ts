// package.json promises Node 20 (`engines`); every installed package must keep that promise, or
// `npm install` prints EBADENGINE warnings and the package may use APIs Node 20 lacks. Read from the
// lockfile, which is exactly what `npm ci` installs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';

interface LockPackage {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

const read = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
const manifest = read('package.json') as { engines: { node: string } };
const lock = read('package-lock.json') as { packages: Record<string, LockPackage> };

describe('dependencies', () => {
  it('all support the oldest Node version package.json promises', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    const refusing: string[] = [];
    for (const [where, pkg] of Object.entries(lock.packages)) {
      // npm skips an optional package whose engines refuse this Node, silently, and its dependent works
      // without it (rollup's optional native helpers, rollup-plugin-dts's code frames).
      if (where === '' || pkg.optional) continue;
      // Very old manifests wrote engines as an array of strings; npm ignores those, and so do we.
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (range && !semver.satisfies(oldest, range)) refusing.push(`${where}@${pkg.version} wants node ${range}`);
    }
    expect(refusing, `each needs an override or another version (npm ls <name> shows who pulls it in)`).toEqual([]);
  });
});
