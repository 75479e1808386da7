// What a wrong JS API call tells the developer. A chunk of its own (misuse.<hash>.js), fetched only
// when a call is wrong: the checks (runtime.ts) ship in every page view, their explanations need not.
import { MAX_MESSAGE_LENGTH } from '../protocol/limits.ts';

const MISUSE = {
  bootOptions: () => 'boot() needs an options object: { siteKey }.',
  noSiteKey: () => 'No site key: add data-site-key to the script tag or pass { siteKey } to boot().',
  longSiteKey: () => 'The site key is too long (128 characters at most).',
  apiUrl: (got: unknown) => `apiUrl must be an http(s) URL, got ${JSON.stringify(got)}.`,
  userToken: (what: string) => `${what} needs { token: string } (a JWT from your backend).`,
  userFields: (what: string) => `${what}: name and email must be strings.`,
  looks: () => 'locale and color must be strings.',
  position: () => 'position must be "left" or "right".',
  debugOption: () => 'debug must be a boolean.',
  text: (what: string) => `${what} needs a string.`,
  emptyText: (what: string) => `${what} needs some text.`,
  longText: (what: string) => `${what}: text is longer than ${MAX_MESSAGE_LENGTH} characters.`,
  event: (method: string, got: unknown, events: readonly string[]) => `${method}(): unknown event ${JSON.stringify(got)}. Events: ${events.join(', ')}.`,
  callback: (method: string, event: string) => `${method}("${event}", callback) needs a function.`,
  debugArgument: () => 'debug() takes true or false.',
  method: (name: string) => `Unknown method "${name}".`,
};

/** A wrong call, as runtime.ts's checks describe it: which rule, and the details the message names. */
export type Misuse = { [K in keyof typeof MISUSE]: [K, ...Parameters<(typeof MISUSE)[K]>] }[keyof typeof MISUSE];

export const explain = ([rule, ...details]: Misuse): string => (MISUSE[rule] as (...d: unknown[]) => string)(...details);
