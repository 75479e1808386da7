// Entry of dist/widget/widget.js, the script tag merchants paste.
import appFile from 'virtual:app-file';
import { installLoader } from './loader/install.ts';

// currentScript is set while a classic script runs, async ones included.
installLoader({ win: window, doc: document, script: document.currentScript as HTMLScriptElement | null, appFile });
