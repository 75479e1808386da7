// The visitor token, in first-party localStorage under a key namespaced by site key, so two
// VeryChat workspaces on one domain never share a visitor. Nothing is written before consent:
// until the visitor opens the chat (or the page calls boot()), the token lives in memory only.
export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
  /** From now on, persist. Writes the token held in memory, if any. */
  grantConsent(): void;
  readonly consented: boolean;
}

export const storageKey = (siteKey: string): string => `verychat:${siteKey}:visitor`;

export function createTokenStore(siteKey: string, storage: Storage | null): TokenStore {
  const key = storageKey(siteKey);
  let consented = false;
  let memory: string | null = null;
  // Storage can throw (blocked cookies, Safari private mode, quota): the widget still works, it
  // just forgets the visitor on reload.
  const safe = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch {
      return fallback;
    }
  };
  return {
    get: () => memory ?? safe(() => storage?.getItem(key) ?? null, null),
    set(token) {
      memory = token;
      if (consented) safe(() => storage?.setItem(key, token), undefined);
    },
    clear() {
      memory = null;
      safe(() => storage?.removeItem(key), undefined);
    },
    grantConsent() {
      consented = true;
      if (memory) safe(() => storage?.setItem(key, memory!), undefined);
    },
    get consented() {
      return consented;
    },
  };
}
