#!/usr/bin/env node
// Prints the gzip and brotli size of every widget file and checks the budgets. Exits 1 when one is
// exceeded (or the build is missing). Run after `npx rollup -c`.
//
// What a storefront visitor downloads (each step counts the chunk and every chunk it imports):
//   page view     widget.js (loader) + app (launcher, the page's data-verychat buttons and badges) + their
//                 language's catalog
//   chat open     + window (the chat window, fetched on intent: pointer or focus on the launcher, opening)
//                 + sio (socket.io-client) + assistant (answers, votes, handoff) + help (the home view and
//                 articles, shown when the window opens on an empty conversation) + the assistant's texts
//   customer      + payments (toasts, bell, payment cards) and its texts in the visitor's language,
//                 for identified customers only
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const DIR = process.argv[2] ?? 'dist/public';
const KB = 1024;
const BUDGETS = {
  loader: 1 * KB,
  /** Loader + app + the largest catalog: what a page view costs, widget UI and CSS included. */
  initial: 21 * KB,
  /**
   * Everything a visitor who opens the chat has, as browsers receive it (the server sends brotli files).
   * Was 30 KB for window + socket.io-client; raised for code loaded on open only: the assistant (7.9 KB),
   * the help panel (4.1 KB) and their texts (1.3 KB). The page view before opening did not grow.
   */
  openBrotli: 46 * KB,
  /** An identified customer: all of the above plus the payments feature (was 36 KB, raised by the same). */
  customerBrotli: 52 * KB,
  /** The agent console at /support (never a storefront's): its entry and static imports, texts and CSS included. */
  consoleInitial: 36 * KB,
};

if (!existsSync(join(DIR, 'widget.js'))) {
  console.error(`No ${DIR}/widget.js: build first (npx rollup -c).`);
  process.exit(1);
}

const files = new Map();
const measure = (file) => {
  const buf = readFileSync(join(DIR, file));
  return {
    file,
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    // Static imports between chunks (minified ES output: `import{a as b}from"./x.js"`).
    imports: [...buf.toString().matchAll(/(?:^|[;}])\s*import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+)["']/g)].map((m) => `widget/${m[1]}`),
  };
};
files.set('widget.js', measure('widget.js'));
for (const f of readdirSync(join(DIR, 'widget')).filter((f) => f.endsWith('.js')).sort()) files.set(`widget/${f}`, measure(`widget/${f}`));

const chunk = (name) => [...files.values()].find((r) => new RegExp(`^widget/${name}\\.[0-9a-z]+\\.js$`).test(r.file));
/** A chunk and everything it imports statically, without the ones already counted. */
const closure = (start, seen) => {
  const out = [];
  const visit = (r) => {
    if (!r || seen.has(r.file)) return;
    seen.add(r.file);
    out.push(r);
    for (const i of r.imports) visit(files.get(i));
  };
  visit(start);
  return out;
};

const missing = ['app', 'window', 'sio', 'assistant', 'help', 'payments'].filter((n) => !chunk(n));
if (missing.length) {
  console.error(`Missing chunk(s) ${missing.join(', ')} in ${DIR}/widget`);
  process.exit(1);
}
const largest = (names) => names.map(chunk).filter(Boolean).reduce((a, b) => (b.gzip > (a?.gzip ?? 0) ? b : a), null);
const largestCatalog = largest(['en', 'es', 'ar']);
const largestPaymentsTexts = largest(['payments-en', 'payments-es', 'payments-ar']);
const largestAssistantTexts = largest(['assistant-en', 'assistant-es', 'assistant-ar']);

const kb = (n) => (n / KB).toFixed(2).padStart(7) + ' KB';
console.log(`${'file'.padEnd(30)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const r of files.values()) console.log(`${r.file.padEnd(30)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);

const seen = new Set();
const initial = [files.get('widget.js'), ...closure(chunk('app'), seen), largestCatalog];
const open = [...initial, ...['window', 'sio', 'assistant', 'help'].flatMap((n) => closure(chunk(n), seen)), largestAssistantTexts];
const customer = [...open, ...closure(chunk('payments'), seen), largestPaymentsTexts];
const sum = (list, key) => list.reduce((n, r) => n + (r?.[key] ?? 0), 0);
console.log('');
console.log(`page view (loader + app + largest catalog):         gzip ${kb(sum(initial, 'gzip'))}  brotli ${kb(sum(initial, 'brotli'))}`);
console.log(`chat open (+ window, socket.io, assistant, help):   gzip ${kb(sum(open, 'gzip'))}  brotli ${kb(sum(open, 'brotli'))}`);
console.log(`identified customer (+ payments + its texts):       gzip ${kb(sum(customer, 'gzip'))}  brotli ${kb(sum(customer, 'brotli'))}`);

const checks = [
  ['loader (widget.js) gzip', files.get('widget.js').gzip, BUDGETS.loader],
  ['page view gzip', sum(initial, 'gzip'), BUDGETS.initial],
  ['chat open brotli', sum(open, 'brotli'), BUDGETS.openBrotli],
  ['identified customer brotli', sum(customer, 'brotli'), BUDGETS.customerBrotli],
];
// The agent console (dist/console, console/rollup.mjs): the entry named by its manifest and its static imports.
const consoleDir = join(DIR, '..', 'console');
let consoleGzip = Infinity;
if (existsSync(join(consoleDir, 'manifest.json'))) {
  const m = JSON.parse(readFileSync(join(consoleDir, 'manifest.json'), 'utf8'));
  consoleGzip = [m.entry, ...m.preload].reduce((n, f) => n + gzipSync(readFileSync(join(consoleDir, f)), { level: 9 }).length, 0);
  const rest = readdirSync(consoleDir).filter((f) => f.endsWith('.js') && f !== m.entry && !m.preload.includes(f));
  console.log(`console first load (${[m.entry, ...m.preload].join(' + ')}): gzip ${kb(consoleGzip)}; later chunks: ${rest.map((f) => `${f.split('.')[0]} ${kb(gzipSync(readFileSync(join(consoleDir, f)), { level: 9 }).length).trim()}`).join(', ')}`);
} else console.error(`No ${consoleDir}/manifest.json: build first (npx rollup -c).`);
checks.push(['console first load gzip', consoleGzip, BUDGETS.consoleInitial]);

let failed = false;
console.log('');
for (const [label, value, budget] of checks) {
  const ok = value <= budget;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${kb(value)} of ${kb(budget)}`);
}
process.exit(failed ? 1 : 0);
