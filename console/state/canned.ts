// Canned replies: `/shortcut` in the composer, with variables filled from the open conversation.
export interface CannedReply {
  shortcut: string;
  title: string;
  text: string;
}

export interface CannedVars {
  /** The customer's name (or "there" in the agent's language). */
  name: string;
  email: string;
  lastPaymentReference: string;
  /** The customer's last payment, "100 VRC" and its status in words. */
  lastPaymentAmount: string;
  lastPaymentStatus: string;
  agentName: string;
}

const VARS: Record<string, keyof CannedVars> = {
  name: 'name',
  'customer.name': 'name',
  'customer.email': 'email',
  'payment.reference': 'lastPaymentReference',
  'payment.amount': 'lastPaymentAmount',
  'payment.status': 'lastPaymentStatus',
  'agent.name': 'agentName',
};

/** `{{customer.name}}`, `{{customer.email}}`, `{{payment.amount}}`, `{{payment.status}}`, `{{payment.reference}}`, `{{agent.name}}` (and `{{name}}`); an unknown variable stays as written. */
export function fillCanned(text: string, vars: CannedVars): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, name: string) => {
    const key = VARS[name];
    return key ? vars[key] : m;
  });
}

/** The `/query` being typed at the caret, if the composer's text is at a slash command. */
export function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([\w-]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

export function matchCanned(list: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase();
  const starts = list.filter((c) => c.shortcut.startsWith(q));
  const contains = list.filter((c) => !c.shortcut.startsWith(q) && (c.shortcut.includes(q) || c.title.toLowerCase().includes(q)));
  return [...starts, ...contains].slice(0, 8);
}

/** Replaces the `/query` at `start..caret` with the filled reply; returns the new text and caret. */
export function insertCanned(text: string, start: number, caret: number, filled: string): { text: string; caret: number } {
  const next = text.slice(0, start) + filled + text.slice(caret);
  return { text: next, caret: start + filled.length };
}
