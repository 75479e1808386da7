// One open conversation's thread as pure state: messages by seq (pages of older ones on scroll, catch-up of
// newer ones after a gap), internal notes placed after the message they followed, and the rendering window
// (a long thread keeps only a slice in the DOM).
import type { MessageDto } from '../../protocol/chat.ts';
import type { NoteDto } from '../../protocol/console.ts';

export interface ThreadState {
  conversationId: string;
  messages: MessageDto[];
  notes: NoteDto[];
  /** Older messages exist before the first one held. */
  hasMore: boolean;
  loading: boolean;
}

export type ThreadItem = { type: 'message'; key: string; m: MessageDto } | { type: 'note'; key: string; n: NoteDto };

export const emptyThread = (conversationId: string): ThreadState => ({ conversationId, messages: [], notes: [], hasMore: true, loading: true });

/** Merges messages by id (a retry may deliver one twice) and keeps them sorted by seq. */
export function mergeMessages(held: readonly MessageDto[], incoming: readonly MessageDto[]): MessageDto[] {
  if (!incoming.length) return held as MessageDto[];
  const last = held.at(-1);
  // The common case, a new message at the end: no copy-sort of a 5,000-message array.
  if (incoming.length === 1 && (!last || incoming[0]!.seq > last.seq)) return [...held, incoming[0]!];
  const bySeq = new Map<number, MessageDto>();
  for (const m of held) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function mergeNotes(held: readonly NoteDto[], incoming: readonly NoteDto[]): NoteDto[] {
  const byId = new Map<string, NoteDto>();
  for (const n of held) byId.set(n.clientNoteId || n.id, n);
  for (const n of incoming) byId.set(n.clientNoteId || n.id, n);
  return [...byId.values()].sort((a, b) => a.afterSeq - b.afterSeq || a.createdAt.localeCompare(b.createdAt));
}

/** The highest seq held (0: none). */
export const lastSeqOf = (t: ThreadState) => t.messages.at(-1)?.seq ?? 0;

/**
 * A live message arrived: `gap` when messages between the last held and this one were missed (load them with
 * afterSeq), else the merged thread.
 */
export function applyLive(t: ThreadState, m: MessageDto): { thread: ThreadState; gapAfter: number | null } {
  const last = lastSeqOf(t);
  const gapAfter = t.messages.length && m.seq > last + 1 ? last : null;
  return { thread: { ...t, messages: mergeMessages(t.messages, [m]) }, gapAfter };
}

/** Messages and notes in reading order: a note follows the message it was written after. */
export function threadItems(t: ThreadState): ThreadItem[] {
  const out: ThreadItem[] = [];
  const first = t.messages[0]?.seq ?? Infinity;
  let ni = 0;
  const notes = t.notes;
  // Notes written before the oldest message held belong to a page not loaded yet (unless all are loaded).
  while (ni < notes.length && notes[ni]!.afterSeq < first - 1 && t.hasMore) ni++;
  for (const m of t.messages) {
    while (ni < notes.length && notes[ni]!.afterSeq < m.seq) out.push({ type: 'note', key: `n${notes[ni]!.id}`, n: notes[ni++]! });
    out.push({ type: 'message', key: `m${m.id}`, m });
  }
  while (ni < notes.length) out.push({ type: 'note', key: `n${notes[ni]!.id}`, n: notes[ni++]! });
  return out;
}

/** The slice of items the DOM holds: the newest `size` up to `end` (a long thread never renders whole). */
export function windowOf(total: number, end: number, size: number): { start: number; end: number } {
  const e = Math.max(0, Math.min(total, end));
  return { start: Math.max(0, e - size), end: e };
}

/** Another agent replied to the customer after this draft began: warn before sending. */
export function repliedSince(t: ThreadState, me: string, sinceSeq: number): MessageDto | null {
  for (let i = t.messages.length - 1; i >= 0; i--) {
    const m = t.messages[i]!;
    if (m.seq <= sinceSeq) break;
    if (m.sender.type === 'agent' && m.sender.id !== me) return m;
  }
  return null;
}
