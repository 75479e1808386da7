// @vitest-environment happy-dom
// The console's pure state: list merging with live updates and keyset pages, resync, threads, drafts,
// keyboard handling, canned replies.
import { describe, expect, it } from 'vitest';
import type { InboxRowDto } from '../../protocol/console.ts';
import type { MessageDto } from '../../protocol/chat.ts';
import { applyMessage, applyPage, applyRead, applyRow, emptyInbox, loadedViews, unreadOf, visibleRows, viewsOf } from './inbox.ts';
import { applyLive, emptyThread, mergeMessages, repliedSince, threadItems, windowOf, type ThreadState } from './thread.ts';
import { createDrafts } from './drafts.ts';
import { keyAction, isTypingTarget } from './keys.ts';
import { fillCanned, insertCanned, matchCanned, slashQuery } from './canned.ts';

const ME = 'agent-me';
const t0 = Date.parse('2026-01-01T10:00:00Z');
const at = (min: number) => new Date(t0 + min * 60_000).toISOString();

function row(id: string, waitedMin: number | null, over: Partial<InboxRowDto> = {}): InboxRowDto {
  return {
    id,
    status: 'open',
    mode: 'human',
    contact: { id: `c-${id}`, name: id, email: null, externalId: null },
    assignee: null,
    handoff: null,
    lastSeq: 3,
    lastMessageAt: at(waitedMin ?? 0),
    waitingSince: waitedMin === null ? null : at(waitedMin),
    snoozedUntil: null,
    resolvedAt: null,
    createdAt: at(-100),
    preview: { seq: 3, sender: 'contact', kind: 'text', text: 'hi' },
    readSeq: 3,
    unread: 0,
    ...over,
  };
}

const msg = (seq: number, over: Partial<MessageDto> = {}): MessageDto => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  clientMessageId: `cm${seq}`,
  sender: { type: 'contact', id: 'x', name: null },
  kind: 'text',
  text: `message ${seq}`,
  payload: null,
  createdAt: at(seq),
  ...over,
});

describe('inbox list', () => {
  it('orders by waiting longest first and pages by keyset: a live insert past the last loaded row waits for its page', () => {
    let s = emptyInbox(ME);
    s = applyPage(s, 'needs-reply', { rows: [row('a', 1), row('b', 2)], nextCursor: 'cur1' }, true);
    expect(visibleRows(s, 'needs-reply').map((r) => r.id)).toEqual(['a', 'b']);
    // Waiting longer than everyone: shown at once, on top.
    s = applyRow(s, row('z', 0), ['needs-reply', 'unassigned', 'open']);
    // Waiting less than the last loaded row: belongs to a later page, not shown yet (pages never shift).
    s = applyRow(s, row('late', 50), ['needs-reply', 'unassigned', 'open']);
    expect(visibleRows(s, 'needs-reply').map((r) => r.id)).toEqual(['z', 'a', 'b']);
    // The next page reaches it, and repeats nothing.
    s = applyPage(s, 'needs-reply', { rows: [row('c', 3), row('late', 50)], nextCursor: null }, false);
    expect(visibleRows(s, 'needs-reply').map((r) => r.id)).toEqual(['z', 'a', 'b', 'c', 'late']);
    expect(s.lists['needs-reply']!.complete).toBe(true);
  });

  it('moves a row between views as it changes, and drops it from the ones it left', () => {
    let s = emptyInbox(ME);
    s = applyPage(s, 'unassigned', { rows: [row('a', 1)], nextCursor: null }, true);
    s = applyPage(s, 'mine', { rows: [], nextCursor: null }, true);
    s = applyRow(s, row('a', 1, { assignee: { id: ME, name: 'Me' } }), ['needs-reply', 'open']);
    expect(visibleRows(s, 'unassigned')).toEqual([]);
    expect(visibleRows(s, 'mine').map((r) => r.id)).toEqual(['a']);
    s = applyRow(s, row('a', null, { status: 'resolved', resolvedAt: at(9), assignee: { id: ME, name: 'Me' } }), ['resolved']);
    expect(visibleRows(s, 'mine')).toEqual([]);
  });

  it('computes views when the server did not say', () => {
    expect(viewsOf(row('a', 1), ME)).toEqual(['needs-reply', 'unassigned', 'open']);
    expect(viewsOf(row('a', null, { mode: 'ai' }), ME)).toEqual(['assistant', 'open']);
    expect(viewsOf(row('a', null, { status: 'snoozed' }), ME)).toEqual(['snoozed']);
    expect(viewsOf(row('a', null, { status: 'pending', assignee: { id: ME, name: 'Me' } }), ME)).toEqual(['mine', 'open']);
  });

  it('resync: a fresh first page replaces the view (rows the server no longer lists leave)', () => {
    let s = emptyInbox(ME);
    s = applyPage(s, 'open', { rows: [row('a', 1), row('b', 2)], nextCursor: null }, true);
    s = applyPage(s, 'open', { rows: [row('b', 2), row('c', 3)], nextCursor: null }, true);
    expect(visibleRows(s, 'open').map((r) => r.id)).toEqual(['b', 'c']);
    expect(loadedViews(s)).toEqual(['open']);
  });

  it('unread per agent: the server count, then lastSeq minus what this agent read', () => {
    let s = emptyInbox(ME);
    s = applyPage(s, 'open', { rows: [row('a', 1, { lastSeq: 5, readSeq: 3, unread: 2 })], nextCursor: null }, true);
    expect(unreadOf(s, s.rows.get('a')!)).toBe(2);
    s = applyMessage(s, { conversationId: 'a', seq: 6, sender: { type: 'contact' }, kind: 'text', text: 'again', createdAt: at(20) });
    expect(unreadOf(s, s.rows.get('a')!)).toBe(3);
    expect(s.rows.get('a')!.preview!.text).toBe('again');
    s = applyRead(s, 'a', 6);
    expect(unreadOf(s, s.rows.get('a')!)).toBe(0);
    // A row that only came live (no per-agent fields: the frame is the same for every agent) is all unread
    // until this agent reads it.
    const { readSeq: _r, unread: _u, ...shared } = row('b', 2, { lastSeq: 4 });
    s = applyRow(s, shared);
    expect(unreadOf(s, s.rows.get('b')!)).toBe(4);
    s = applyRead(s, 'b', 4);
    expect(unreadOf(s, s.rows.get('b')!)).toBe(0);
    // An agent's reply ends the wait.
    s = applyMessage(s, { conversationId: 'a', seq: 7, sender: { type: 'agent' }, kind: 'text', text: 'answer', createdAt: at(21) });
    expect(s.rows.get('a')!.waitingSince).toBeNull();
  });

  it('an older frame never undoes a newer one', () => {
    let s = emptyInbox(ME);
    s = applyPage(s, 'open', { rows: [row('a', 1, { lastSeq: 9 })], nextCursor: null }, true);
    s = applyRow(s, row('a', 1, { lastSeq: 4, status: 'pending' }), ['open']);
    expect(s.rows.get('a')!.lastSeq).toBe(9);
    expect(s.rows.get('a')!.status).toBe('pending');
  });
});

describe('thread', () => {
  const thread = (seqs: number[]): ThreadState => ({ ...emptyThread('c1'), messages: seqs.map((n) => msg(n)), loading: false, hasMore: false });

  it('merges by seq, once each, and notices a gap', () => {
    expect(mergeMessages([msg(1), msg(2)], [msg(2), msg(3)]).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(mergeMessages([msg(3)], [msg(1)]).map((m) => m.seq)).toEqual([1, 3]);
    expect(applyLive(thread([1, 2]), msg(3)).gapAfter).toBeNull();
    expect(applyLive(thread([1, 2]), msg(5)).gapAfter).toBe(2);
  });

  it('places notes after the message they followed', () => {
    const t = thread([1, 2, 3]);
    t.notes = [{ id: 'n1', conversationId: 'c1', clientNoteId: 'n1', afterSeq: 2, author: null, text: 'note', createdAt: at(2.5) }];
    expect(threadItems(t).map((i) => i.key)).toEqual(['mm1', 'mm2', 'nn1', 'mm3']);
  });

  it('windows a long thread', () => {
    expect(windowOf(5000, 5000, 150)).toEqual({ start: 4850, end: 5000 });
    expect(windowOf(10, 10, 150)).toEqual({ start: 0, end: 10 });
  });

  it('collision: another agent replied after the draft began', () => {
    const t = thread([1, 2]);
    t.messages.push(msg(3, { sender: { type: 'agent', id: 'ana', name: 'Ana' } }));
    expect(repliedSince(t, ME, 2)?.sender.name).toBe('Ana');
    expect(repliedSince(t, ME, 3)).toBeNull();
    expect(repliedSince(t, 'ana', 2)).toBeNull();
  });
});

describe('drafts', () => {
  it('are kept per conversation and per agent, and an empty reply draft is forgotten', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
    const a = createDrafts('a1', storage);
    a.set('c1', { text: 'hello', mode: 'reply', sinceSeq: 4, updatedAt: 1 });
    a.set('c2', { text: 'note', mode: 'note', sinceSeq: 1, updatedAt: 2 });
    expect(createDrafts('a1', storage).get('c1')?.text).toBe('hello');
    expect(createDrafts('a2', storage).get('c1')).toBeNull();
    a.set('c1', { text: '  ', mode: 'reply', sinceSeq: 4, updatedAt: 3 });
    expect(createDrafts('a1', storage).get('c1')).toBeNull();
    expect(createDrafts('a1', storage).get('c2')?.mode).toBe('note');
  });
});

describe('keyboard', () => {
  const key = (k: string, target: EventTarget | null = document.body, mods: Partial<KeyboardEventInit> = {}) =>
    keyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, target, ...mods } as Parameters<typeof keyAction>[0]);

  it('maps the shortcuts', () => {
    expect(['j', 'k', 'Enter', 'r', 'n', 'e', 'a', 's', '?'].map((k) => key(k))).toEqual(['next', 'prev', 'open', 'reply', 'note', 'resolve', 'assign', 'snooze', 'help']);
    expect(key('k', document.body, { ctrlKey: true })).toBe('search');
    expect(key('k', document.body, { metaKey: true })).toBe('search');
    expect(key('x')).toBeNull();
    expect(key('j', document.body, { altKey: true })).toBeNull();
  });

  it('never while typing in a field, except Ctrl/⌘+K and Escape', () => {
    const textarea = document.createElement('textarea');
    const input = document.createElement('input');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    expect(isTypingTarget(textarea)).toBe(true);
    expect(isTypingTarget(input)).toBe(true);
    expect(isTypingTarget(checkbox)).toBe(false);
    expect(key('j', textarea)).toBeNull();
    expect(key('?', input)).toBeNull();
    expect(key('e', textarea)).toBeNull();
    expect(key('k', textarea, { ctrlKey: true })).toBe('search');
    expect(key('Escape', textarea)).toBe('escape');
    // Enter on a button is that button's click.
    expect(key('Enter', document.createElement('button'))).toBeNull();
  });
});

describe('canned replies', () => {
  it('finds the /query at the caret, fills variables and inserts', () => {
    expect(slashQuery('Hello /pay', 10)).toEqual({ start: 6, query: 'pay' });
    expect(slashQuery('a/b', 3)).toBeNull();
    const list = [
      { shortcut: 'payment', title: 'Last payment', text: 'Your {{payment.amount}} is {{payment.status}}, {{name}}. {{unknown}}' },
      { shortcut: 'hi', title: 'Greeting', text: 'Hi' },
    ];
    expect(matchCanned(list, 'pay').map((c) => c.shortcut)).toEqual(['payment']);
    const filled = fillCanned(list[0]!.text, { name: 'Ana', email: 'a@x', lastPaymentReference: 'ord_1', lastPaymentAmount: '100.50 VRC', lastPaymentStatus: 'failed', agentName: 'Bo' });
    expect(filled).toBe('Your 100.50 VRC is failed, Ana. {{unknown}}');
    expect(insertCanned('Hello /pay!', 6, 10, 'X')).toEqual({ text: 'Hello X!', caret: 7 });
  });
});
