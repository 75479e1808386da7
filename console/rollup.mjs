// The agent console's build (`rollup -c` runs it after the widget's): console/main.tsx → dist/console/.
// Its own entry and chunks, in their own folder: nothing here is ever fetched by a storefront page.
//   dist/console/support.<hash>.js   the entry: Preact, the sign-in page, the inbox shell, English texts
//   dist/console/<name>.<hash>.js    chunks fetched after sign-in or on use: sio (socket.io-client), es, help…
//   dist/console/manifest.json       { entry, preload[] }: the /support page names the hashed entry from it
// Every file is content-hashed (cached for a year); .br/.gz are written next to each.
import { rm, writeFile } from 'node:fs/promises';
import { compressDir } from '../scripts/compress-dist.mjs';

const OUT = 'dist/console';

/** `plugins`: the widget's (aliases for the browser build of socket.io-client, JSON, CSS ?inline, TS/JSX). */
export function consoleConfig({ plugins, minify }) {
  return {
    input: { support: 'console/main.tsx' },
    plugins: [{ name: 'clean-console', buildStart: () => rm(OUT, { recursive: true, force: true }) }, ...plugins, manifest()],
    output: {
      dir: OUT,
      format: 'es',
      entryFileNames: '[name].[hash].js',
      chunkFileNames: '[name].[hash].js',
      hashCharacters: 'base36',
      sourcemap: true,
      plugins: [minify],
    },
  };
}

function manifest() {
  return {
    name: 'console-manifest',
    async writeBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
      await writeFile(`${OUT}/manifest.json`, JSON.stringify({ entry: entry.fileName, preload: entry.imports }));
      compressDir(OUT);
    },
  };
}
