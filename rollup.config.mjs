// Widget bundles. `npx rollup -c` writes dist/widget/:
//   widget.js        the script-tag loader (IIFE, ~1 KB); knows the app's file name at build time
//   app.<hash>.js    the widget app: Preact UI, state, API (IIFE, content-hashed: cache forever)
//   sio.<hash>.js    socket.io-client, fetched by the app when a conversation starts
//   pay.<hash>.js    the payments UI (toasts, notification list, payment cards), fetched by the app
//                    for identified customers; it runs on the app's Preact (see `shared` below)
//   es.<hash>.js …   non-English catalogs, fetched by the app for visitors who need them
//   esm/index.js     + index.d.ts: `createVeryChat()` for developers importing from npm
// The configs run in order: each later build reads the file names the earlier ones produced.
//
// Lazy pieces are classic scripts that hand their value to `VeryChat._c(name, value)`, not fetch()
// or import(): a classic script from the VeryChat server needs no CORS headers from the
// storefront's origin, and the IIFE format cannot code-split.
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import ts from 'typescript';

const OUT = 'dist/widget';
const LAZY_LOCALES = ['es', 'ar'];
/** File names produced by earlier builds, read by later ones; `payImports`: what pay.js takes from the app. */
const built = { sio: null, pay: null, payImports: null, app: null };

/**
 * Modules the payments UI borrows from the app instead of bundling its own copy: Preact must be one
 * instance (hooks keep their state in it), and a second copy would cost ~5 KB. In pay.js they are
 * externals read from `VeryChat._s`, which the app fills (with exactly the bindings pay.js imports)
 * just before it loads the script.
 */
const SHARED = { preact: 'p', 'preact/hooks': 'h', 'preact/jsx-runtime': 'j' };
/** What pay.js may bundle besides: its own folder and constants. Anything else would be a second copy of app code. */
const PAY_OWN = [/\/widget\/payments\//, /\/widget\/components\/icons\.ts$/, /^\0pay-entry$/];

/** `import css from './x.css?inline'` -> the minified CSS as a string (what Vite/Vitest do too). */
function cssString() {
  return {
    name: 'css-string',
    async load(id) {
      if (!id.endsWith('.css?inline')) return null;
      const file = id.slice(0, -'?inline'.length);
      this.addWatchFile(file);
      const { code } = await transform(await readFile(file, 'utf8'), { loader: 'css', minify: true, target: 'chrome100' });
      return `export default ${JSON.stringify(code.trim())};`;
    },
  };
}

/** `import x from './x.json'` -> an ES module whose default export is the parsed JSON. */
function json() {
  return {
    name: 'json',
    transform: (code, id) => (id.endsWith('.json') ? { code: `export default ${JSON.stringify(JSON.parse(code))};`, map: { mappings: '' } } : null),
  };
}

/**
 * Applies a package's `browser` field to the relative imports inside it. @rollup/plugin-node-resolve
 * skips it for packages with an `exports` map, and engine.io-client relies on it to swap its Node
 * transports (ws, xmlhttprequest-ssl) for the browser's WebSocket and XMLHttpRequest.
 */
function browserField() {
  const cache = new Map();
  const packageOf = (file) => {
    for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
      if (cache.has(dir)) return cache.get(dir);
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const found = { dir, browser: typeof pkg.browser === 'object' ? pkg.browser : {} };
        cache.set(dir, found);
        return found;
      } catch {
        /* no package.json here: keep walking up */
      }
    }
    return null;
  };
  return {
    name: 'browser-field',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || !importer.includes('node_modules')) return null;
      const pkg = packageOf(importer);
      if (!pkg) return null;
      const target = pkg.browser['./' + relative(pkg.dir, resolve(dirname(importer), source))];
      return typeof target === 'string' ? resolve(pkg.dir, target) : null;
    },
  };
}

/**
 * Replaces modules by source-path suffix with generated code: modules the widget never executes
 * (engine.io-client's WebTransport transport: we only ask for websocket and polling), and the
 * app's lazy-loading seams.
 */
function replaceModules(map) {
  return {
    name: 'replace-modules',
    resolveId: (id) => (id === '\0lazy' ? id : null),
    // Emitted files are siblings of the app; `lazy()` resolves the bare name against the app's URL.
    resolveFileUrl: ({ fileName }) => JSON.stringify(fileName),
    load(id) {
      if (id === '\0lazy') return LAZY_RUNTIME;
      const file = id.replaceAll('\\', '/');
      const hit = Object.keys(map).find((suffix) => file.endsWith(suffix));
      return hit ? map[hit].call(this) : null;
    },
  };
}

/** Loads a sibling classic script that calls VeryChat._c(name, value); resolves with the value. */
const LAZY_RUNTIME = `
const base = document.currentScript ? document.currentScript.src : document.baseURI;
const waiting = {};
export function lazy(name, file) {
  if (waiting[name]) return waiting[name].promise;
  const entry = (waiting[name] = {});
  window.VeryChat._c = (n, value) => waiting[n] && waiting[n].resolve(value);
  entry.promise = new Promise((resolve, reject) => {
    entry.resolve = resolve;
    const script = document.createElement('script');
    script.src = new URL(file, base).href;
    script.async = true;
    script.onerror = () => { delete waiting[name]; script.remove(); reject(new Error('Could not load ' + script.src)); };
    document.head.appendChild(script);
  });
  return entry.promise;
}`;

const BINARY_UNSUPPORTED = "() => { throw new Error('[VeryChat] binary socket.io packets are not supported'); }";
const webTransportStub = {
  'engine.io-client/build/esm/transports/webtransport.js': () => 'export class WT {}',
  'socket.io-parser/build/esm/is-binary.js': () => 'export const isBinary = () => false, hasBinary = () => false;',
  'socket.io-parser/build/esm/binary.js': () => `export const deconstructPacket = ${BINARY_UNSUPPORTED}, reconstructPacket = deconstructPacket;`,
  'engine.io-parser/build/esm/contrib/base64-arraybuffer.js': () => `export const encode = ${BINARY_UNSUPPORTED}, decode = encode;`,
};

/** The app's lazy seams: catalogs as emitted scripts, socket.io-client as the sio build's file. */
const appLazyModules = {
  ...webTransportStub,
  '/widget/i18n/catalogs.ts': async function () {
    const files = {};
    for (const locale of LAZY_LOCALES) {
      const catalog = JSON.parse(await readFile(`widget/i18n/${locale}.json`, 'utf8'));
      const ref = this.emitFile({ type: 'asset', name: `${locale}.js`, source: `VeryChat._c(${JSON.stringify(locale)},${JSON.stringify(catalog)});` });
      files[locale] = `import.meta.ROLLUP_FILE_URL_${ref}`;
    }
    const table = Object.entries(files).map(([l, url]) => `${JSON.stringify(l)}: ${url}`).join(', ');
    return `import { lazy } from '\0lazy';\nexport const loadCatalog = (locale) => lazy(locale, { ${table} }[locale]);`;
  },
  '/widget/socket-io.ts': function () {
    if (!built.sio) this.error('socket.io-client must be built before the app');
    return `import { lazy } from '\0lazy';\nexport const loadIo = () => lazy('sio', ${JSON.stringify(built.sio)});`;
  },
  '/widget/payments/load.ts': function () {
    if (!built.pay) this.error('the payments UI must be built before the app');
    const imports = [];
    const table = [];
    for (const [source, key] of Object.entries(SHARED)) {
      const names = built.payImports[source] ?? [];
      const local = names.map((n, i) => [n, `${key}${i}`]);
      if (local.length) imports.push(`import { ${local.map(([n, l]) => `${n} as ${l}`).join(', ')} } from ${JSON.stringify(source)};`);
      table.push(`${key}: { ${local.map(([n, l]) => `${n}: ${l}`).join(', ')} }`);
    }
    return [
      `import { lazy } from '\0lazy';`,
      ...imports,
      `export const loadPayments = () => { window.VeryChat._s = { ${table.join(', ')} }; return lazy('pay', ${JSON.stringify(built.pay)}); };`,
    ].join('\n');
  },
};

/** pay.js: externals for the shared modules, and a guard against bundling app modules twice. */
function payChunk() {
  return {
    name: 'pay-chunk',
    resolveId: (id) => (id === '\0pay-entry' ? id : id in SHARED ? { id, external: true } : null),
    load: (id) =>
      id === '\0pay-entry' ? `import * as ui from ${JSON.stringify(resolve('widget/payments/index.ts'))};\nVeryChat._c('pay', ui);` : null,
    generateBundle(_options, bundle) {
      const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
      const foreign = Object.keys(chunk.modules).filter((id) => !PAY_OWN.some((re) => re.test(id.replaceAll('\\', '/'))));
      if (foreign.length) this.error(`pay.js would bundle app modules (import them through props instead): ${foreign.join(', ')}`);
      built.pay = chunk.fileName;
      built.payImports = chunk.importedBindings;
    },
  };
}

/** Records the entry file name of a build, for the builds after it. */
function record(key) {
  return {
    name: 'record',
    generateBundle(_options, bundle) {
      built[key] = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.isEntry).fileName;
    },
  };
}

/** `virtual:app-file` -> the app bundle's hashed file name, for the loader. */
function appFile() {
  return {
    name: 'app-file',
    resolveId: (id) => (id === 'virtual:app-file' ? '\0virtual:app-file' : null),
    load(id) {
      if (id !== '\0virtual:app-file') return null;
      if (!built.app) this.error('the app bundle must be built before the loader');
      return `export default ${JSON.stringify(built.app)};`;
    },
  };
}

/**
 * Emits index.d.ts / types.d.ts for the npm build with TypeScript's single-file declaration emit:
 * widget/index.ts and widget/types.ts are written so their declarations stand alone (no protocol,
 * zod or Preact types leak into the public surface).
 */
function declarations(files) {
  return {
    name: 'declarations',
    async generateBundle() {
      for (const [src, out] of files) {
        const result = ts.transpileDeclaration(await readFile(src, 'utf8'), {
          fileName: src,
          compilerOptions: { declaration: true, isolatedDeclarations: true, target: ts.ScriptTarget.ES2022 },
          reportDiagnostics: true,
        });
        if (result.diagnostics?.length) {
          this.error(ts.formatDiagnostics(result.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
        }
        this.emitFile({ type: 'asset', fileName: out, source: result.outputText.replace(/from '\.\/(\w+)\.ts'/g, "from './$1.js'") });
      }
    },
  };
}

/** Empties dist/widget first, so stale hashed bundles never linger next to the new ones. */
function clean() {
  return { name: 'clean', buildStart: () => rm(OUT, { recursive: true, force: true }) };
}

const plugins = (replacements) => [
  replaceModules(replacements),
  browserField(),
  json(),
  cssString(),
  nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
  esbuild({ target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.json', minify: false }),
];

const minify = () =>
  terser({
    ecma: 2020,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
    format: { comments: false },
  });

export default [
  {
    input: '\0sio-entry',
    plugins: [
      clean(),
      { name: 'sio-entry', resolveId: (id) => (id === '\0sio-entry' ? id : null), load: (id) => (id === '\0sio-entry' ? "import { io } from 'socket.io-client';\nVeryChat._c('sio', io);" : null) },
      ...plugins(webTransportStub),
      record('sio'),
    ],
    output: { dir: OUT, format: 'iife', entryFileNames: 'sio.[hash].js', hashCharacters: 'base36', plugins: [minify()] },
  },
  {
    input: '\0pay-entry',
    plugins: [payChunk(), ...plugins({})],
    output: {
      dir: OUT,
      format: 'iife',
      entryFileNames: 'pay.[hash].js',
      hashCharacters: 'base36',
      globals: Object.fromEntries(Object.entries(SHARED).map(([source, key]) => [source, `VeryChat._s.${key}`])),
      plugins: [minify()],
    },
  },
  {
    input: 'widget/app.ts',
    plugins: [...plugins(appLazyModules), record('app')],
    output: {
      dir: OUT,
      format: 'iife',
      entryFileNames: 'app.[hash].js',
      assetFileNames: '[name].[hash][extname]',
      // [0-9a-z] only: the server recognises hashed (immutable) files by that alphabet.
      hashCharacters: 'base36',
      sourcemap: true,
      plugins: [minify()],
    },
  },
  {
    input: 'widget/loader.ts',
    plugins: [...plugins({}), appFile()],
    output: { file: `${OUT}/widget.js`, format: 'iife', strict: false, plugins: [minify()] },
  },
  {
    input: 'widget/index.ts',
    plugins: [
      ...plugins(webTransportStub),
      declarations([
        ['widget/index.ts', 'index.d.ts'],
        ['widget/types.ts', 'types.d.ts'],
      ]),
    ],
    output: { dir: `${OUT}/esm`, format: 'es', entryFileNames: 'index.js', sourcemap: true, plugins: [minify()] },
  },
];
