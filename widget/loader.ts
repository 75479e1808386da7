// Entry of dist/public/widget.js, the script tag merchants paste: a classic script (see rollup.config.mjs).
import { installLoader } from './loader/install.ts';

// currentScript is set while a classic script runs, async ones included.
installLoader({ win: window, doc: document, script: document.currentScript as HTMLScriptElement | null, importApp: () => import('./app.ts') });
