// The public method names, shared by the loader (method-style stubs and the unknown-method check
// before the app has loaded) and the runtime. Kept free of anything else so the loader stays tiny.
export const METHODS = [
  'boot',
  'open',
  'close',
  'toggle',
  'identify',
  'logout',
  'sendMessage',
  'prefill',
  'on',
  'off',
  'getUnreadCount',
  'getNotifications',
  'markNotificationsRead',
  'shutdown',
  'debug',
] as const;

export type MethodName = (typeof METHODS)[number];

export const isMethod = (name: unknown): name is MethodName =>
  typeof name === 'string' && (METHODS as readonly string[]).includes(name);

/** Prefix of every console line, so merchants can filter our output. */
export const LOG_PREFIX = '[VeryChat]';
