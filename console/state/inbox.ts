// The inbox list as pure state: rows by id, each view's members in the server's order, keyset pages and live
// updates merged so that a live insert never shifts a page (a row that sorts after the last loaded row waits
// for the page that reaches it), per-agent unread, counts. No DOM, no timers, no socket.
import type { InboxCounts, InboxRowDto, InboxView } from '../../protocol/console.ts';
import type { ConversationSummaryDto, MessageKind, SenderType } from '../../protocol/chat.ts';

export const VIEWS: readonly InboxView[] = ['needs-reply', 'mine', 'unassigned', 'assistant', 'open', 'snoozed', 'resolved'];

export interface ViewList {
  /** Member ids (unsorted set semantics; `visibleIds` sorts). */
  ids: ReadonlySet<string>;
  /** The last row of the loaded pages: rows sorting after it are not shown until the next page. */
  boundary: InboxRowDto | null;
  cursor: string | null;
  /** Every page loaded (no cursor left). */
  complete: boolean;
  loaded: boolean;
}

export interface InboxState {
  me: string;
  rows: ReadonlyMap<string, InboxRowDto>;
  lists: Partial<Record<InboxView, ViewList>>;
  /** This agent's read position per conversation (server rows, read marks, `agent-read`). */
  readSeq: ReadonlyMap<string, number>;
  counts: InboxCounts | null;
}

export const emptyInbox = (me: string): InboxState => ({ me, rows: new Map(), lists: {}, readSeq: new Map(), counts: null });

const time = (iso: string | null | undefined, missing: number) => (iso ? Date.parse(iso) : missing);

/** The view's order: waiting longest first (snoozed: waking soonest; resolved: latest first); ties by id. */
export function compareIn(view: InboxView, a: InboxRowDto, b: InboxRowDto): number {
  let d: number;
  if (view === 'resolved') d = time(b.resolvedAt ?? b.lastMessageAt, 0) - time(a.resolvedAt ?? a.lastMessageAt, 0);
  else if (view === 'snoozed') d = time(a.snoozedUntil, Infinity) - time(b.snoozedUntil, Infinity);
  else {
    d = time(a.waitingSince, Infinity) - time(b.waitingSince, Infinity);
    if (Number.isNaN(d) || d === 0) d = time(b.lastMessageAt ?? b.createdAt, 0) - time(a.lastMessageAt ?? a.createdAt, 0);
  }
  if (Number.isNaN(d)) d = 0;
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The views a row belongs to, computed here when the server did not say (old API rows, optimistic changes). */
export function viewsOf(row: InboxRowDto, me: string): InboxView[] {
  const out: InboxView[] = [];
  const open = row.status === 'open';
  if (row.mode === 'human' && open && row.waitingSince) out.push('needs-reply');
  if (row.assignee?.id === me && (open || row.status === 'pending')) out.push('mine');
  if (row.mode === 'human' && open && !row.assignee) out.push('unassigned');
  if (row.mode === 'ai' && open) out.push('assistant');
  if (open || row.status === 'pending') out.push('open');
  if (row.status === 'snoozed') out.push('snoozed');
  if (row.status === 'resolved') out.push('resolved');
  return out;
}

const emptyList = (): ViewList => ({ ids: new Set(), boundary: null, cursor: null, complete: false, loaded: false });

/** A keyset page of `view` arrived: its rows join the view (and the row map); the boundary moves to its end. */
export function applyPage(s: InboxState, view: InboxView, page: { rows: InboxRowDto[]; nextCursor: string | null }, first: boolean): InboxState {
  const rows = new Map(s.rows);
  const readSeq = new Map(s.readSeq);
  const prev = first ? emptyList() : (s.lists[view] ?? emptyList());
  const ids = new Set(prev.ids);
  if (first) {
    // A fresh first page replaces what the view had (resync): members the server no longer lists leave.
    ids.clear();
  }
  for (const r of page.rows) {
    rows.set(r.id, r);
    ids.add(r.id);
    if (r.readSeq !== undefined) readSeq.set(r.id, r.readSeq);
  }
  const boundary = page.rows.at(-1) ?? prev.boundary;
  return {
    ...s,
    rows,
    readSeq,
    lists: { ...s.lists, [view]: { ids, boundary, cursor: page.nextCursor, complete: page.nextCursor === null, loaded: true } },
  };
}

/** A live change (`conversation-updated`, a reply of ours): the row moves between views by `views` (or computed). */
export function applyRow(s: InboxState, row: InboxRowDto, views?: readonly InboxView[]): InboxState {
  const rows = new Map(s.rows);
  const old = rows.get(row.id);
  // Never go back in time: an older frame (a slower path) must not undo a newer one.
  if (old && old.lastSeq > row.lastSeq) row = { ...row, lastSeq: old.lastSeq, preview: old.preview, lastMessageAt: old.lastMessageAt };
  rows.set(row.id, row);
  const member = new Set<InboxView>(views ? [...views, ...(row.assignee?.id === s.me && (row.status === 'open' || row.status === 'pending') ? (['mine'] as const) : [])] : viewsOf(row, s.me));
  const readSeq = new Map(s.readSeq);
  if (row.readSeq !== undefined) readSeq.set(row.id, Math.max(row.readSeq, readSeq.get(row.id) ?? 0));
  const lists: InboxState['lists'] = {};
  for (const [v, list] of Object.entries(s.lists) as [InboxView, ViewList][]) {
    const has = list.ids.has(row.id);
    const wants = member.has(v);
    if (has === wants) {
      lists[v] = list;
      continue;
    }
    const ids = new Set(list.ids);
    if (wants) ids.add(row.id);
    else ids.delete(row.id);
    lists[v] = { ...list, ids };
  }
  return { ...s, rows, lists, readSeq };
}

/** The rows a view shows, in order: members that sort at or before the boundary (all of them once complete). */
export function visibleRows(s: InboxState, view: InboxView): InboxRowDto[] {
  const list = s.lists[view];
  if (!list) return [];
  const out: InboxRowDto[] = [];
  for (const id of list.ids) {
    const r = s.rows.get(id);
    if (!r) continue;
    if (!list.complete && list.boundary && r.id !== list.boundary.id && compareIn(view, r, list.boundary) > 0) continue;
    out.push(r);
  }
  return out.sort((a, b) => compareIn(view, a, b));
}

/** Unread messages of a row for this agent: the server's count while fresh, else lastSeq − read position. */
export function unreadOf(s: InboxState, row: InboxRowDto): number {
  const read = s.readSeq.get(row.id);
  if (read !== undefined) return Math.max(0, row.lastSeq - read);
  // A row that only came live (`conversation-updated` is one frame for every agent: no read position in it)
  // in a conversation this console never had a position for: none of it was read here (a read in another
  // tab arrives as `agent-read` and sets one). Not 0: a new handoff must show its unread badge.
  return row.unread ?? row.lastSeq;
}

/** This agent read up to `seq` (here, or in another tab: `agent-read`). */
export function applyRead(s: InboxState, conversationId: string, seq: number): InboxState {
  if ((s.readSeq.get(conversationId) ?? -1) >= seq) return s;
  const readSeq = new Map(s.readSeq);
  readSeq.set(conversationId, seq);
  return { ...s, readSeq };
}

/** A new message in a conversation the list knows: its preview, lastSeq and waiting time move. */
export function applyMessage(
  s: InboxState,
  m: { conversationId: string; seq: number; sender: { type: SenderType }; kind: MessageKind; text: string; createdAt: string },
): InboxState {
  const row = s.rows.get(m.conversationId);
  if (!row || row.lastSeq >= m.seq) return s;
  const fromCustomer = m.sender.type === 'contact';
  const next: InboxRowDto = {
    ...row,
    lastSeq: m.seq,
    lastMessageAt: m.createdAt,
    preview: { seq: m.seq, sender: m.sender.type, kind: m.kind, text: m.text.slice(0, 160) },
    waitingSince: fromCustomer ? (row.waitingSince ?? m.createdAt) : m.sender.type === 'agent' ? null : row.waitingSince,
    // A customer message reopens a pending or snoozed conversation (the server says so too; this is earlier).
    status: fromCustomer && row.status !== 'open' ? 'open' : row.status,
  };
  return applyRow(s, next);
}

/** The views to reload after a reconnect, a sleeping laptop or a seq gap: the loaded ones, each from its first page. */
export const loadedViews = (s: InboxState): InboxView[] => (Object.keys(s.lists) as InboxView[]).filter((v) => s.lists[v]?.loaded);

/** Counts for the views: the server's when it sent them, else what the loaded lists hold (a lower bound). */
export function countOf(s: InboxState, view: InboxView): number | null {
  if (s.counts) return s.counts[view];
  const list = s.lists[view];
  return list?.complete ? list.ids.size : null;
}

/** Rows of the existing conversation API (before the inbox routes): the same shape, computed here. */
export function rowFromSummary(c: ConversationSummaryDto, me: { id: string; name: string }): InboxRowDto {
  const last = c.lastMessage;
  const waiting = last && last.sender.type === 'contact' && c.status === 'open' ? last.createdAt : null;
  return {
    id: c.id,
    status: c.status,
    mode: c.mode,
    contact: c.contact,
    assignee: c.assigneeId ? { id: c.assigneeId, name: c.assigneeId === me.id ? me.name : '' } : null,
    handoff: null,
    lastSeq: c.lastSeq,
    lastMessageAt: c.lastMessageAt,
    waitingSince: waiting,
    snoozedUntil: null,
    resolvedAt: null,
    createdAt: c.createdAt,
    preview: last ? { seq: last.seq, sender: last.sender.type, kind: last.kind, text: last.text.slice(0, 160) } : null,
    readSeq: c.read.agent,
  };
}
