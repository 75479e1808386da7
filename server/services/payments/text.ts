// Text that merchants' events (memos, failure reasons, names) and identity tokens (names) put in front of
// customers: stored and shown without controls or bidi overrides, which can disguise what it says.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Controls (but tab and newline) removed, trimmed; null when nothing is left. */
export function cleanText(raw: string | null | undefined): string | null {
  const text = raw?.replace(CONTROL, '').trim();
  return text ? text : null;
}

/** A display name: one line (any run of white space, newlines included, becomes one space). */
export const cleanName = (raw: string | null | undefined): string | null => cleanText(raw?.replace(/\s+/g, ' '));
