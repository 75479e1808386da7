// Client-side ids, zod-free so the widget and the console import them at run time.

/**
 * A client message id (also a console note's or a started conversation's): created once when the visitor sends, kept through every retry, so the
 * server can drop duplicates. The protocol allows [A-Za-z0-9_-]{8,64}; a UUID fits.
 */
export function newClientMessageId(crypto: Crypto | undefined = globalThis.crypto): string {
  if (crypto?.randomUUID) return crypto.randomUUID();
  // Older browsers or insecure contexts (http): 128 random bits, hex.
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
