// What a wrong JS API call, or a site that is not set up, tells the developer. A chunk of its own
// (misuse.<hash>.js), fetched only then: the checks ship in every page view, their explanations need not.
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

/** What the merchant must change when the server refuses this page for good (chat/session.ts). */
export function setupHint(code: string, siteKey: string, origin: string): string | null {
  if (code === 'ORIGIN_NOT_ALLOWED') {
    return `This page's origin (${origin}) is not allowed for site key ${siteKey}, so the chat is not available here. Allow it on your VeryChat server: npm run verychat -- origin:add ${siteKey} ${origin}`;
  }
  if (code === 'SITE_KEY_UNKNOWN') {
    return `No workspace has the site key "${siteKey}", so the chat is not available here. Check data-site-key (or boot({ siteKey })); list your workspaces with: npm run verychat -- workspace:list`;
  }
  return null;
}

/** A wrong call, as runtime.ts's checks describe it: which rule, and the details the message names. */
export type Misuse = { [K in keyof typeof MISUSE]: [K, ...Parameters<(typeof MISUSE)[K]>] }[keyof typeof MISUSE];

export const explain = ([rule, ...details]: Misuse): string => (MISUSE[rule] as (...d: unknown[]) => string)(...details);
