// The public API behind both `window.VeryChat` (through the loader's queue) and `createVeryChat()`.
// Every call returns a promise and none throws: misuse logs exactly one `[VeryChat] ...` console
// error and rejects; methods that need the widget wait until boot() has mounted it. Methods and
// events of features (feature.ts) are routed to their descriptors.
import { VeryChatError } from './errors.ts';
import type { MethodName } from './api-methods.ts';
import type { Emit } from './controller.ts';
import type { FeatureDescriptor } from './feature.ts';
import type { Misuse } from './misuse.ts';
import type { LoaderConfig } from './loader/install.ts';
import { MAX_MESSAGE_LENGTH } from '../protocol/limits.ts';
import { createLogger, type Logger } from './log.ts';
import { unreadCount } from './state/chat.ts';
import type { BootOptions, VeryChatEvent, VeryChatUser } from './types.ts';
import type { MountOptions, WidgetHandle } from './widget.tsx';

export { VeryChatError };

/** Events of the chat itself; features add theirs. */
export const CORE_EVENTS: readonly VeryChatEvent[] = ['ready', 'open', 'close', 'message', 'unread-count', 'error'];

export interface RuntimeEnv {
  doc: Document;
  mount: (options: MountOptions) => WidgetHandle;
  features: readonly FeatureDescriptor[];
  log?: Logger;
  /** Default API origin when boot() names none: the loader's origin, or the page's. */
  defaultApiUrl?: string;
}

export interface Runtime {
  call(method: string, args: unknown[]): Promise<unknown>;
  /** The script tag's own boot, from its data-* attributes: no consent to storage yet. */
  bootFromTag(config: LoaderConfig): void;
  /** For tests and the npm entry: the mounted widget, if any. */
  readonly widget: WidgetHandle | null;
}

type Listener = (payload: unknown) => void;

const noop = (): void => {};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

function validUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

// The checks answer which rule a call breaks; misuse.ts (fetched only then) says it in words.
function checkUser(user: unknown, what: string): Misuse | null {
  if (!isObject(user) || typeof user.token !== 'string' || user.token.length === 0) return ['userToken', what];
  if (!optionalString(user.name) || !optionalString(user.email)) return ['userFields', what];
  return null;
}

function checkBoot(options: unknown): Misuse | null {
  if (!isObject(options)) return ['bootOptions'];
  const { siteKey, apiUrl, user, locale, position, color, debug } = options;
  if (typeof siteKey !== 'string' || siteKey.trim() === '') return ['noSiteKey'];
  if (siteKey.length > 128) return ['longSiteKey'];
  if (apiUrl !== undefined && (typeof apiUrl !== 'string' || !validUrl(apiUrl))) return ['apiUrl', apiUrl];
  if (user !== undefined) return checkUser(user, 'boot({ user })');
  if (!optionalString(locale) || !optionalString(color)) return ['looks'];
  if (position !== undefined && position !== 'left' && position !== 'right') return ['position'];
  if (debug !== undefined && typeof debug !== 'boolean') return ['debugOption'];
  return null;
}

function checkText(text: unknown, what: string, allowEmpty: boolean): Misuse | null {
  if (typeof text !== 'string') return ['text', what];
  if (!allowEmpty && text.trim() === '') return ['emptyText', what];
  if (text.length > MAX_MESSAGE_LENGTH) return ['longText', what];
  return null;
}

/** Reads the script tag's config into boot options (strings as the page wrote them). */
export function bootOptionsFromTag(config: LoaderConfig): BootOptions & { siteKey: string } {
  return {
    siteKey: config.siteKey ?? '',
    apiUrl: config.apiUrl || new URL(config.src).origin,
    locale: config.locale,
    position: config.position === 'left' ? 'left' : config.position === 'right' ? 'right' : undefined,
    color: config.color,
  };
}

export function createRuntime(env: RuntimeEnv): Runtime {
  const log = env.log ?? createLogger();
  const listeners = new Map<VeryChatEvent, Set<Listener>>();
  let widget: WidgetHandle | null = null;
  let booted: BootOptions | null = null;
  let markReady: () => void = noop;
  let ready = new Promise<void>((resolve) => (markReady = resolve));

  const emit: Emit = (event, payload) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      // A page's listener that throws must not break the widget, nor the other listeners.
      try {
        listener(payload);
      } catch (e) {
        log.error(`A "${event}" listener threw:`, e);
      }
    }
  };

  /** One console error, then a rejection; a feature may pass its own words. */
  const misuse = async (problem: Misuse | string, code: VeryChatError['code'] = 'INVALID_ARGUMENT'): Promise<never> => {
    const message =
      typeof problem === 'string' ? problem : await import('./misuse.ts').then((m) => m.explain(problem), () => `Invalid call (${problem[0]}).`);
    const error = new VeryChatError(code, message);
    console.error(error.message);
    throw error;
  };

  const events = [...CORE_EVENTS, ...env.features.flatMap((f) => f.events)];

  /** Waits for boot, then runs fn against the mounted widget. */
  const withWidget = async <T>(fn: (w: WidgetHandle) => T): Promise<T> => {
    await ready;
    if (!widget) throw new VeryChatError('NOT_BOOTED', 'The widget was shut down.');
    return fn(widget);
  };

  /** Mounts (or reuses) the widget; with a user, settles on the server's answer about their token. */
  function boot(options: BootOptions, consent: boolean): Promise<void> | undefined {
    if (options.debug !== undefined) log.setDebug(options.debug);
    const apiUrl = options.apiUrl ?? env.defaultApiUrl ?? env.doc.location.origin;
    if (widget && booted && booted.siteKey === options.siteKey && (booted.apiUrl ?? apiUrl) === apiUrl) {
      // Booting again, e.g. the page calls boot({ user }) after the tag booted: same widget.
      if (consent) widget.controller.consent();
      return options.user && widget.controller.identify(options.user);
    }
    if (widget) shutdown();
    log.debug('boot', { siteKey: options.siteKey, apiUrl });
    booted = { ...options, apiUrl };
    widget = env.mount({
      doc: env.doc,
      siteKey: options.siteKey.trim(),
      apiUrl,
      appearance: { locale: options.locale, position: options.position, color: options.color },
      consent,
      log,
      emit,
      features: env.features,
    });
    const signedIn = options.user && widget.controller.identify(options.user);
    markReady();
    emit('ready', undefined);
    return signedIn;
  }

  function shutdown(): void {
    if (!widget) return;
    widget.destroy();
    widget = null;
    booted = null;
    ready = new Promise<void>((resolve) => (markReady = resolve));
  }

  async function run(method: string, args: unknown[]): Promise<unknown> {
    const [a, b] = args;
    switch (method) {
      case 'boot': {
        const problem = checkBoot(a);
        if (problem) return misuse(problem);
        return boot(a as BootOptions, true);
      }
      case 'open':
        return withWidget((w) => w.controller.open());
      case 'close':
        return withWidget((w) => w.controller.close());
      case 'toggle':
        return withWidget((w) => w.controller.toggle());
      case 'identify': {
        const problem = checkUser(a, 'identify()');
        if (problem) return misuse(problem);
        return withWidget((w) => w.controller.identify(a as VeryChatUser));
      }
      case 'logout':
        return withWidget((w) => w.controller.logout());
      case 'sendMessage': {
        const problem = checkText(a, 'sendMessage()', false);
        if (problem) return misuse(problem);
        return withWidget((w) => {
          // Refused for good (the site is not set up): say so instead of queueing a message that never leaves.
          const { status, error } = w.ui.get();
          if (status === 'failed' && error) throw new VeryChatError(error.code, `sendMessage(): ${error.message}`);
          return { clientMessageId: w.controller.send((a as string).trim()) };
        });
      }
      case 'prefill': {
        const problem = checkText(a, 'prefill()', true);
        if (problem) return misuse(problem);
        return withWidget((w) => w.controller.setDraft(a as string));
      }
      case 'on':
      case 'off': {
        if (!events.includes(a as VeryChatEvent)) return misuse(['event', method, a, events]);
        if (typeof b !== 'function') return misuse(['callback', method, String(a)]);
        const event = a as VeryChatEvent;
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        if (method === 'off') return void set.delete(b as Listener);
        set.add(b as Listener);
        // Late subscribers to `ready` still hear about it.
        if (event === 'ready' && widget) queueMicrotask(() => set.has(b as Listener) && (b as Listener)(undefined));
        return;
      }
      case 'getUnreadCount':
        return withWidget((w) => unreadCount(w.chat.get()));
      case 'shutdown':
        return shutdown();
      case 'debug':
        if (a !== undefined && typeof a !== 'boolean') return misuse(['debugArgument']);
        return log.setDebug(a !== false);
      default: {
        const name = method as MethodName;
        const owner = env.features.find((f) => f.methods?.[name]);
        if (!owner) return misuse(['method', method], 'UNKNOWN_METHOD');
        return owner.methods![name]!(args, { misuse, ready: () => withWidget((w) => ({ chat: w.controller, load: () => w.features.ensure(owner.name) })) });
      }
    }
  }

  return {
    call(method, args) {
      let result: Promise<unknown>;
      result = run(String(method), args).catch((e: unknown) => {
        if (e instanceof VeryChatError) throw e;
        // A bug of ours: report it once, never let it escape into the page.
        log.error(`${method}() failed:`, e);
        throw new VeryChatError('INTERNAL', `${method}() failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      result.catch(noop); // Handled: a page that ignores the promise gets no "unhandled rejection".
      return result;
    },
    bootFromTag(config) {
      if (config.debug !== undefined) log.setDebug(config.debug !== 'false');
      if (config.siteKey === undefined) return; // The page will call boot() itself.
      const options = bootOptionsFromTag(config);
      const problem = checkBoot(options);
      if (problem) void misuse(problem).catch(noop);
      else void boot(options, false)?.catch(noop); // Nobody awaits the tag's boot: identify() errors are events.
    },
    get widget() {
      return widget;
    },
  };
}
