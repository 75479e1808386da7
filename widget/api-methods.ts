// The public method names, shared by the loader (method-style stubs and the unknown-method check
// before the app has loaded) and the npm entry. The app itself does not import this module: the
// loader must share nothing with it (rollup.config.mjs), and the runtime dispatches by name.
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
  'showHelp',
  'showArticle',
  'ask',
  'shutdown',
  'debug',
] as const;

export type MethodName = (typeof METHODS)[number];

export const isMethod = (name: unknown): name is MethodName =>
  typeof name === 'string' && (METHODS as readonly string[]).includes(name);
