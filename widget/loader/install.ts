// The script-tag loader, written as a function of its environment so tests can run it against a
// fake page. It runs on every page view of every storefront, including the ones where nobody ever
// opens the chat, so it does no DOM work at all: it records the tag's data-* attributes, installs
// the `VeryChat` command queue, and imports the app when the page is idle or as soon as a call
// shows intent (boot/open/toggle).
//
// Decision: the app, not the loader, draws the launcher. Drawing it here (host element, shadow
// root, CSS, brand-colour contrast, localized label) measured ~1.8 KB gzip, over the 1.5 KB loader
// budget, and would have meant two launcher implementations to keep identical. The app arrives at
// the first idle moment after the page's `load` event, which is what storefront owners want anyway:
// the chat never competes with the page's own content for bandwidth or main-thread time.
//
// The loader is built as a classic script that shares no module with the app (rollup.config.mjs),
// so it keeps its own copy of the console prefix; loader/api.test.ts checks it matches log.ts.
import { METHODS, isMethod } from '../api-methods.ts';

/** The script tag's data-* attributes (camel-cased by `dataset`) and its own URL. */
export interface LoaderConfig {
  siteKey?: string;
  apiUrl?: string;
  locale?: string;
  position?: string;
  color?: string;
  debug?: string;
  /** The loader's own URL (the page's without a script element): the default API origin. */
  src: string;
}

export type Dispatch = (method: string, args: unknown[]) => Promise<unknown>;
/** What the app module (app.ts) exports: given the tag's config, it answers every call from then on. */
export interface AppModule {
  start(config: LoaderConfig): Dispatch;
}

export interface VeryChatGlobal {
  (method: string, ...args: unknown[]): Promise<unknown>;
  [method: string]: unknown;
  /** Calls made on a host-page stub before this script ran (see examples/storefront). */
  q?: IArguments[];
}

export interface LoaderEnv {
  win: Window & { VeryChat?: VeryChatGlobal };
  doc: Document;
  script: HTMLScriptElement | null;
  /** Fetches the app: `import('./app.ts')`, which Rollup points at the content-hashed chunk next to the loader, resolved against `base` (the loader's URL). */
  importApp(base: string): Promise<AppModule>;
}

type Pending = [method: string, args: unknown[], resolve: (v: unknown) => void, reject: (e: unknown) => void];

export const LOADER_PREFIX = '[VeryChat]';
const noop = (): void => {};
/** Marks a promise handled, so a page that ignores our rejections gets no "unhandled rejection"; callers still see it. */
const quiet = <T>(p: Promise<T>): Promise<T> => (p.catch(noop), p);

export function installLoader({ win, doc, script, importApp }: LoaderEnv): VeryChatGlobal {
  const existing = win.VeryChat;
  // A second copy of the tag must not create a second widget.
  if (existing && !existing.q && typeof existing.boot === 'function') return existing;

  const config: LoaderConfig = { ...script?.dataset, src: script?.src || doc.URL };
  const queue: Pending[] = [];
  let dispatch: Dispatch | null = null;
  let loading = false;

  const fail = (message: string): Promise<never> => {
    const error = new Error(`${LOADER_PREFIX} ${message}`);
    console.error(error.message);
    return quiet(Promise.reject(error));
  };

  const load = (): void => {
    if (loading || dispatch) return;
    loading = true;
    importApp(config.src).then(
      (app) => {
        dispatch = app.start(config);
        for (const [method, args, resolve, reject] of queue.splice(0)) dispatch(method, args).then(resolve, reject);
      },
      (e: unknown) => {
        loading = false; // The next call that shows intent tries again.
        const failed = fail(`Could not load the chat (${e instanceof Error ? e.message : String(e)}); it is unavailable.`);
        for (const call of queue.splice(0)) failed.catch(call[3]);
      },
    );
  };

  const VeryChat = ((method: string, ...args: unknown[]): Promise<unknown> => {
    if (!isMethod(method)) return fail(`Unknown method "${String(method)}". Known methods: ${METHODS.join(', ')}.`);
    if (dispatch) return dispatch(method, args);
    // Explicit intent: fetch the app now rather than at the next idle moment.
    if (method === 'boot' || method === 'open' || method === 'toggle') load();
    return quiet(new Promise((resolve, reject) => queue.push([method, args, resolve, reject])));
  }) as VeryChatGlobal;
  for (const m of METHODS) VeryChat[m] = (...args: unknown[]) => VeryChat(m, ...args);

  win.VeryChat = VeryChat;
  for (const call of existing?.q ?? []) VeryChat(...(call as unknown as [string]));

  // Without a site key the page will call boot() itself; nothing to fetch until then.
  if (config.siteKey !== undefined) {
    // After the page's own load, at an idle moment (at most 4 s later).
    const idle = (): void => void (win.requestIdleCallback ? win.requestIdleCallback(load, { timeout: 4000 }) : setTimeout(load, 300));
    if (doc.readyState === 'complete') idle();
    else win.addEventListener('load', idle);
  }
  return VeryChat;
}
