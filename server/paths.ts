import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so it works from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
