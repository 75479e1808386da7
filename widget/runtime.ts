// The public API behind both `window.VeryChat` (through the loader's queue) and `createVeryChat()`.
// Every call returns a promise and none throws: misuse logs exactly one `[VeryChat] ...` console
// error and rejects; methods that need the widget wait until boot() has mounted it.
import { LOG_PREFIX, isMethod, type MethodName } from './api-methods.ts';
import type { ClientErrorCode } from './connection.ts';
import { MAX_MESSAGE_LENGTH, type Emit } from './controller.ts';
import type { LoaderConfig } from './loader/install.ts';
import { createLogger, type Logger } from './log.ts';
import { unreadCount } from './state/chat.ts';
import type { BootOptions, GetNotificationsOptions, VeryChatEvent, VeryChatNotifications, VeryChatUser } from './types.ts';
import type { PaymentsFeature } from './payments/load.ts';
import type { MountOptions, WidgetHandle } from './widget.tsx';

export const EVENTS: readonly VeryChatEvent[] = [
  'ready',
  'open',
  'close',
  'message',
  'unread-count',
  'error',
  'payment',
  'notifications',
  'unread-notifications',
];
/** protocol/payments.ts MAX_NOTIFICATIONS_PAGE (a value: not importable without zod). */
const MAX_NOTIFICATIONS_PAGE = 100;
/** markNotificationsRead() sends ids in batches the server accepts; this caps one call. */
const MAX_READ_IDS_PER_CALL = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A rejection for misuse: `code` is stable, the message says what to fix. */
export class VeryChatError extends Error {
  constructor(
    /** Misuse, or (for calls that talk to the server) the server's or the connection's code: OFFLINE, RATE_LIMITED, … */
    readonly code: 'INVALID_ARGUMENT' | 'UNKNOWN_METHOD' | 'NOT_BOOTED' | 'INTERNAL' | ClientErrorCode,
    message: string,
  ) {
    super(`${LOG_PREFIX} ${message}`);
    this.name = 'VeryChatError';
  }
}

export interface RuntimeEnv {
  doc: Document;
  mount: (options: MountOptions) => WidgetHandle;
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

function checkUser(user: unknown, what: string): string | null {
  if (!isObject(user) || typeof user.token !== 'string' || user.token.length === 0) return `${what} needs { token: string } (a JWT from your backend).`;
  if (!optionalString(user.name) || !optionalString(user.email)) return `${what}: name and email must be strings.`;
  return null;
}

function checkBoot(options: unknown): string | null {
  if (!isObject(options)) return 'boot() needs an options object: { siteKey }.';
  const { siteKey, apiUrl, user, locale, position, color, debug } = options;
  if (typeof siteKey !== 'string' || siteKey.trim() === '') return 'No site key: add data-site-key to the script tag or pass { siteKey } to boot().';
  if (siteKey.length > 128) return 'The site key is too long (128 characters at most).';
  if (apiUrl !== undefined && (typeof apiUrl !== 'string' || !validUrl(apiUrl))) return `apiUrl must be an http(s) URL, got ${JSON.stringify(apiUrl)}.`;
  if (user !== undefined) return checkUser(user, 'boot({ user })');
  if (!optionalString(locale) || !optionalString(color)) return 'locale and color must be strings.';
  if (position !== undefined && position !== 'left' && position !== 'right') return 'position must be "left" or "right".';
  if (debug !== undefined && typeof debug !== 'boolean') return 'debug must be a boolean.';
  return null;
}

function checkText(text: unknown, what: string, allowEmpty: boolean): string | null {
  if (typeof text !== 'string') return `${what} needs a string.`;
  if (!allowEmpty && text.trim() === '') return `${what} needs some text.`;
  if (text.length > MAX_MESSAGE_LENGTH) return `${what}: text is longer than ${MAX_MESSAGE_LENGTH} characters.`;
  return null;
}

function checkNotificationsQuery(options: unknown): string | null {
  if (options === undefined) return null;
  const what = 'getNotifications(options)';
  if (!isObject(options)) return `${what} takes an object: { before?, limit?, unread? }.`;
  const unknown = Object.keys(options).filter((k) => k !== 'before' && k !== 'limit' && k !== 'unread');
  if (unknown.length) return `${what}: unknown option ${JSON.stringify(unknown[0])}; known: before, limit, unread.`;
  const { before, limit, unread } = options;
  if (before !== undefined && (typeof before !== 'string' || !UUID.test(before))) return `${what}: before must be a notification id.`;
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_NOTIFICATIONS_PAGE)) {
    return `${what}: limit must be a whole number from 1 to ${MAX_NOTIFICATIONS_PAGE}.`;
  }
  if (unread !== undefined && typeof unread !== 'boolean') return `${what}: unread must be a boolean.`;
  return null;
}

function checkNotificationIds(ids: unknown): string | null {
  if (ids === undefined) return null;
  const what = 'markNotificationsRead(ids)';
  if (!Array.isArray(ids)) return `${what} takes an array of notification ids, or nothing to mark all read.`;
  if (ids.length > MAX_READ_IDS_PER_CALL) return `${what}: at most ${MAX_READ_IDS_PER_CALL} ids per call; call it without ids to mark all read.`;
  const bad = ids.find((id) => typeof id !== 'string' || !UUID.test(id));
  if (bad !== undefined) return `${what}: ${JSON.stringify(bad)} is not a notification id.`;
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

  const misuse = (message: string, code: VeryChatError['code'] = 'INVALID_ARGUMENT'): Promise<never> => {
    const error = new VeryChatError(code, message);
    console.error(error.message);
    return Promise.reject(error);
  };

  /** The payments chunk for an API call: a failed download is a NETWORK error, not a bug of ours. */
  const paymentsOf = (w: WidgetHandle): Promise<PaymentsFeature> =>
    w.loadPayments().catch((e: unknown) => {
      throw new VeryChatError('NETWORK', `Could not load the payments module: ${e instanceof Error ? e.message : String(e)}`);
    });

  /** Waits for boot, then runs fn against the mounted widget. */
  const withWidget = async <T>(fn: (w: WidgetHandle) => T): Promise<T> => {
    await ready;
    if (!widget) throw new VeryChatError('NOT_BOOTED', 'The widget was shut down.');
    return fn(widget);
  };

  function boot(options: BootOptions, consent: boolean): void {
    if (options.debug !== undefined) log.setDebug(options.debug);
    const apiUrl = options.apiUrl ?? env.defaultApiUrl ?? env.doc.location.origin;
    if (widget && booted && booted.siteKey === options.siteKey && (booted.apiUrl ?? apiUrl) === apiUrl) {
      // Booting again, e.g. the page calls boot({ user }) after the tag booted: same widget.
      if (consent) widget.controller.consent();
      if (options.user) widget.controller.identify(options.user);
      return;
    }
    if (widget) shutdown();
    log.debug('boot', { siteKey: options.siteKey, apiUrl });
    booted = { ...options, apiUrl };
    widget = env.mount({
      doc: env.doc,
      siteKey: options.siteKey.trim(),
      apiUrl,
      user: options.user,
      appearance: { locale: options.locale, position: options.position, color: options.color },
      consent,
      log,
      emit,
    });
    markReady();
    emit('ready', undefined);
  }

  function shutdown(): void {
    if (!widget) return;
    widget.destroy();
    widget = null;
    booted = null;
    ready = new Promise<void>((resolve) => (markReady = resolve));
  }

  async function run(method: MethodName, args: unknown[]): Promise<unknown> {
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
        return withWidget((w) => ({ clientMessageId: w.controller.send((a as string).trim()) }));
      }
      case 'prefill': {
        const problem = checkText(a, 'prefill()', true);
        if (problem) return misuse(problem);
        return withWidget((w) => w.controller.setDraft(a as string));
      }
      case 'on':
      case 'off': {
        if (!EVENTS.includes(a as VeryChatEvent)) return misuse(`${method}(): unknown event ${JSON.stringify(a)}. Events: ${EVENTS.join(', ')}.`);
        if (typeof b !== 'function') return misuse(`${method}("${String(a)}", callback) needs a function.`);
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
      case 'getNotifications': {
        const problem = checkNotificationsQuery(a);
        if (problem) return misuse(problem);
        return withWidget(async (w): Promise<VeryChatNotifications> => {
          // Payments belong to identified customers: an anonymous visitor has none (no download either).
          if (!w.controller.identity()) return { notifications: [], unreadCount: 0, hasMore: false };
          const res = await (await paymentsOf(w)).controller.getNotifications((a ?? {}) as GetNotificationsOptions);
          if (!res.ok) throw new VeryChatError(res.error.code, `getNotifications() failed: ${res.error.message}`);
          return { notifications: res.notifications, unreadCount: res.unreadCount, hasMore: res.hasMore };
        });
      }
      case 'markNotificationsRead': {
        const problem = checkNotificationIds(a);
        if (problem) return misuse(problem);
        return withWidget(async (w) => {
          if (!w.controller.identity()) return { unreadCount: 0 };
          return { unreadCount: await (await paymentsOf(w)).controller.markRead(a as string[] | undefined) };
        });
      }
      case 'shutdown':
        return shutdown();
      case 'debug':
        if (a !== undefined && typeof a !== 'boolean') return misuse('debug() takes true or false.');
        return log.setDebug(a !== false);
    }
  }

  return {
    call(method, args) {
      let result: Promise<unknown>;
      if (!isMethod(method)) result = misuse(`Unknown method "${String(method)}".`, 'UNKNOWN_METHOD');
      else {
        result = run(method, args).catch((e: unknown) => {
          if (e instanceof VeryChatError) throw e;
          // A bug of ours: report it once, never let it escape into the page.
          log.error(`${method}() failed:`, e);
          throw new VeryChatError('INTERNAL', `${method}() failed: ${e instanceof Error ? e.message : String(e)}`);
        });
      }
      result.catch(noop); // Handled: a page that ignores the promise gets no "unhandled rejection".
      return result;
    },
    bootFromTag(config) {
      if (config.debug !== undefined) log.setDebug(config.debug !== 'false');
      if (config.siteKey === undefined) return; // The page will call boot() itself.
      const options = bootOptionsFromTag(config);
      const problem = checkBoot(options);
      if (problem) void misuse(problem).catch(noop);
      else boot(options, false);
    },
    get widget() {
      return widget;
    },
  };
}
