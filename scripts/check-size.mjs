#!/usr/bin/env node
// Prints the gzip and brotli size of every widget bundle and checks the budgets. Exits 1 when one is
// exceeded (or the build is missing). Run after `npx rollup -c`.
//
// What a storefront visitor downloads:
//   page view        widget.js + app.<hash>.js (+ their language's catalog, if not English)
//   chat in use      + sio.<hash>.js (socket.io-client), fetched when a conversation starts:
//                    the visitor opens the chat, or has chatted before on this site
//   customer         + pay.<hash>.js (payments: toasts, notification bell, payment cards), fetched
//                    for identified customers only (and when a payment card is in the chat)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const DIR = process.argv[2] ?? 'dist/widget';
const KB = 1024;
const BUDGETS = {
  loader: 1.5 * KB,
  /** Loader + app + the largest catalog: what a page view costs, widget UI and CSS included. */
  initial: 30 * KB,
  /**
   * Everything, socket.io-client included, as browsers receive it: the server sends the files
   * pre-compressed with brotli (scripts/compress-dist.mjs). In gzip this is ~32 KB today.
   */
  inUseBrotli: 30 * KB,
  /**
   * An identified customer: all of the above plus the payments chunk (~5 KB brotli). Its own line so
   * payments never weigh on anonymous visitors' budgets above, while still having a ceiling.
   */
  customerBrotli: 36 * KB,
};

if (!existsSync(join(DIR, 'widget.js'))) {
  console.error(`No ${DIR}/widget.js: build first (npx rollup -c).`);
  process.exit(1);
}

const measure = (file) => {
  const buf = readFileSync(join(DIR, file));
  return {
    file,
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.js')).sort();
const rows = files.map(measure);
const find = (re) => rows.filter((r) => re.test(r.file));
const [loader] = find(/^widget\.js$/);
const [app] = find(/^app\.[0-9a-z]+\.js$/);
const [sio] = find(/^sio\.[0-9a-z]+\.js$/);
const [pay] = find(/^pay\.[0-9a-z]+\.js$/);
const catalogs = find(/^(es|ar)\.[0-9a-z]+\.js$/);
if (!loader || !app || !sio || !pay) {
  console.error('Missing widget.js, app.<hash>.js, sio.<hash>.js or pay.<hash>.js in ' + DIR);
  process.exit(1);
}
const largestCatalog = catalogs.reduce((a, b) => (b.gzip > (a?.gzip ?? 0) ? b : a), null);

const kb = (n) => (n / KB).toFixed(2).padStart(7) + ' KB';
console.log(`${'file'.padEnd(22)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const r of rows) console.log(`${r.file.padEnd(22)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);

const sum = (list, key) => list.reduce((n, r) => n + (r?.[key] ?? 0), 0);
const initial = [loader, app, largestCatalog];
const inUse = [...initial, sio];
const customer = [...inUse, pay];
console.log('');
console.log(`page view (loader + app + largest catalog):  gzip ${kb(sum(initial, 'gzip'))}  brotli ${kb(sum(initial, 'brotli'))}`);
console.log(`chat in use (+ socket.io-client):             gzip ${kb(sum(inUse, 'gzip'))}  brotli ${kb(sum(inUse, 'brotli'))}`);
console.log(`identified customer (+ payments chunk):       gzip ${kb(sum(customer, 'gzip'))}  brotli ${kb(sum(customer, 'brotli'))}`);

const checks = [
  ['loader (widget.js) gzip', loader.gzip, BUDGETS.loader],
  ['initial load gzip', sum(initial, 'gzip'), BUDGETS.initial],
  ['chat in use brotli', sum(inUse, 'brotli'), BUDGETS.inUseBrotli],
  ['identified customer brotli', sum(customer, 'brotli'), BUDGETS.customerBrotli],
];
let failed = false;
console.log('');
for (const [label, value, budget] of checks) {
  const ok = value <= budget;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${kb(value)} of ${kb(budget)}`);
}
process.exit(failed ? 1 : 0);
