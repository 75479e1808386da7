// Widget bundles, `rollup -c`:
//   dist/public/widget.js           the script tag's loader: a classic script (~1 KB) that import()s the app
//   dist/public/widget/*.[hash].js  ES-module chunks, content-hashed (cached for a year): the app (Preact
//                                   UI), socket.io-client, each feature (payments…), non-English catalogs.
//                                   Rollup splits and shares them (one Preact); browsers fetch them from the
//                                   widget's origin with CORS (server/http/static.routes.ts).
//   dist/npm/index.js, index.d.ts   `createVeryChat()` for developers importing `verychat/widget`
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import alias from '@rollup/plugin-alias';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { transform } from 'esbuild';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { consoleConfig } from './console/rollup.mjs';

const stub = (name) => fileURLToPath(new URL(`widget/build/${name}`, import.meta.url));

/** `import css from './x.css?inline'`: the minified CSS as a string for the shadow root (as in Vite/Vitest). */
const cssInline = {
  name: 'css-inline',
  async load(id) {
    if (!id.endsWith('.css?inline')) return null;
    const file = id.slice(0, -'?inline'.length);
    this.addWatchFile(file);
    const { code } = await transform(await readFile(file, 'utf8'), { loader: 'css', minify: true, target: 'chrome100' });
    return `export default ${JSON.stringify(code.trim())};`;
  },
};

const plugins = [
  alias({
    entries: [
      // The `browser` fields of engine.io-client and engine.io-parser (node-resolve skips them for
      // packages with an `exports` map): the browser's WebSocket/XHR instead of `ws` and Node's http.
      { find: /^(\.{1,2}\/(?:.*\/)?)(globals|websocket)\.node\.js$/, replacement: '$1$2.js' },
      // Long-polling (the fallback when WebSocket cannot open) over fetch(), not XMLHttpRequest.
      { find: /^\.{1,2}\/(?:.*\/)?polling-xhr(\.node)?\.js$/, replacement: stub('polling-fetch.js') },
      { find: /^(\.{1,2}\/(?:.*\/)?)(encode|decode)Packet\.js$/, replacement: '$1$2Packet.browser.js' },
      // Never run: the widget asks for websocket and polling only, and speaks JSON only.
      { find: /^\.{1,2}\/(?:.*\/)?webtransport\.js$/, replacement: stub('webtransport.ts') },
      { find: /^\.{1,2}\/(?:.*\/)?(is-binary|binary|base64-arraybuffer)\.js$/, replacement: stub('no-binary.ts') },
    ],
  }),
  json({ preferConst: true, namedExports: false, compact: true }),
  cssInline,
  nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
  esbuild({ target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.json' }),
];

/**
 * The loader is a classic script, usually on another origin than the page: import() there has no base URL
 * (a cross-origin classic script's is about:blank), so its one import() is resolved against the loader's
 * own URL, which loader.ts passes as the parameter `base`.
 */
const loaderImport = {
  name: 'loader-import',
  renderDynamicImport: ({ moduleId }) => (moduleId?.endsWith('/widget/loader.ts') ? { left: 'import(new URL(', right: ', base).href)' } : null),
};

/** Empties an output folder first, so stale hashed chunks never linger next to the new ones. */
const clean = (dir) => ({ name: 'clean', buildStart: () => rm(dir, { recursive: true, force: true }) });

const minify = terser({
  ecma: 2020,
  compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
  format: { comments: false },
});

export default [
  {
    // The loader is the only entry; everything else is reached by import() and split by Rollup.
    input: { widget: 'widget/loader.ts' },
    plugins: [clean('dist/public'), loaderImport, ...plugins],
    output: {
      dir: 'dist/public',
      format: 'es',
      entryFileNames: '[name].js',
      // Relative to the loader: /widget.js imports ./widget/app.<hash>.js. Chunks are named after the
      // module import()ed (app, sio, payments, es…). [0-9a-z] only: the server recognises hashed
      // (immutable) files by that alphabet.
      chunkFileNames: 'widget/[name].[hash].js',
      hashCharacters: 'base36',
      sourcemap: true,
      // The loader runs as a classic script in merchants' pages: wrapped, so its top-level names stay
      // out of the page's global scope. It must import nothing statically (a classic script cannot);
      // anything it shares with the app would become such an import, so the build refuses it.
      banner: (chunk) => (chunk.isEntry ? classicScript(chunk) : ''),
      footer: (chunk) => (chunk.isEntry ? '})();' : ''),
      plugins: [minify],
    },
  },
  {
    input: 'widget/index.ts',
    plugins: [clean('dist/npm'), ...plugins],
    output: { dir: 'dist/npm', format: 'es', entryFileNames: 'index.js', chunkFileNames: '[name].[hash].js', sourcemap: true, plugins: [minify] },
  },
  {
    // Public types only (widget/types.ts): no protocol, zod or Preact types in the published surface.
    input: 'widget/index.ts',
    plugins: [dts({ tsconfig: 'tsconfig.json' })],
    output: { file: 'dist/npm/index.d.ts', format: 'es' },
  },
  // The agent console at /support: its own entry and chunks in dist/console (console/rollup.mjs).
  consoleConfig({ plugins, minify }),
];

function classicScript(chunk) {
  if (chunk.imports.length || chunk.exports.length) {
    throw new Error(`widget.js must stay a classic script, but it imports ${chunk.imports.join(', ')}: the loader may share no module with the app`);
  }
  return '(() => {';
}
