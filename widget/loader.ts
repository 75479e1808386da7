// Entry of dist/public/widget.js, the script tag merchants paste: a classic script (see rollup.config.mjs).
import { installLoader } from './loader/install.ts';

// currentScript is set while a classic script runs, async ones included.
// `base` is the loader's own URL: in a classic script served from another origin than the page, import()
// has no base URL of its own, so the build (rollup.config.mjs, `loaderImport`) resolves it against this.
installLoader({ win: window, doc: document, script: document.currentScript as HTMLScriptElement | null, importApp: (base) => import('./app.ts') });
