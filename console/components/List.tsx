// The conversation list: a window of fixed-height rows (only what is on screen is in the DOM, so 2,000 rows
// scroll like 20), the next keyset page fetched as the end comes into view.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { InboxRowDto } from '../../protocol/console.ts';
import type { Controller } from '../controller.ts';
import { unreadOf, visibleRows } from '../state/inbox.ts';
import type { AppState } from '../store.ts';
import { Avatar } from './icons.tsx';

export const ROW_HEIGHT = 80;
const OVERSCAN = 6;

export function contactName(s: AppState, c: InboxRowDto['contact']): string {
  return c.name || c.email || c.externalId || s.i18n.t('list.anonymous', { id: c.id.slice(0, 6) });
}

export function List({ s, c }: { s: AppState; c: Controller }) {
  const rows = visibleRows(s.inbox, s.view);
  const list = s.inbox.lists[s.view];
  const ref = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 800 });

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The keyboard cursor stays in view (j/k), and the focus follows it when the list has focus.
  useEffect(() => {
    const el = ref.current;
    if (!el || !s.cursorId) return;
    const i = rows.findIndex((r) => r.id === s.cursorId);
    if (i < 0) return;
    const top = i * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    if (el.contains(document.activeElement)) (el.querySelector(`[data-id="${s.cursorId}"]`) as HTMLElement | null)?.focus({ preventScroll: true });
  }, [s.cursorId]);

  const first = Math.max(0, Math.floor(scroll.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scroll.top + scroll.height) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    if (list && !list.complete && last >= rows.length - OVERSCAN) void c.loadView(s.view, false).catch(() => undefined);
  }, [last, rows.length, list?.cursor]);

  const onScroll = () => {
    const el = ref.current;
    if (el) setScroll({ top: el.scrollTop, height: el.clientHeight });
  };
  const openId = s.thread?.conversationId;
  const label = s.i18n.t(`view.${s.view}`);
  return (
    <section class="pane list-pane" aria-label={s.i18n.t('nav.conversations')}>
      <header class="pane-head">
        <h2>{label}</h2>
        <span class="muted count-badge">{s.inbox.counts ? s.inbox.counts[s.view] : ''}</span>
      </header>
      <div class="list-scroll" ref={ref} onScroll={onScroll} role="list" aria-label={label} aria-busy={!list?.loaded}>
        {!list?.loaded ? (
          <div class="list-skeleton" aria-live="polite">
            <span class="sr-only">{s.i18n.t('list.loading')}</span>
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} class="row skeleton" />
            ))}
          </div>
        ) : rows.length === 0 ? (
          <div class="empty">
            <div class="empty-mark" aria-hidden="true">
              ✓
            </div>
            <p>{s.i18n.t('list.empty')}</p>
          </div>
        ) : (
          <div class="list-inner" style={{ height: `${rows.length * ROW_HEIGHT + (list.complete ? 0 : ROW_HEIGHT)}px` }}>
            {rows.slice(first, last).map((r, i) => (
              <Row key={r.id} s={s} c={c} row={r} top={(first + i) * ROW_HEIGHT} open={r.id === openId} cursor={r.id === s.cursorId} />
            ))}
            {!list.complete && (
              <div class="row more muted" style={{ top: `${rows.length * ROW_HEIGHT}px` }}>
                {s.i18n.t('list.more')}
              </div>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

function Row({ s, c, row, top, open, cursor }: { s: AppState; c: Controller; row: InboxRowDto; top: number; open: boolean; cursor: boolean }) {
  const i18n = s.i18n;
  const unread = unreadOf(s.inbox, row);
  const name = contactName(s, row.contact);
  const me = s.me?.agent.id;
  const preview = row.preview ? `${row.preview.sender === 'agent' ? `${i18n.t('list.you')}: ` : ''}${row.preview.text}` : i18n.t('list.noPreview');
  const typing = s.typing[row.id]?.customer;
  const waiting = row.waitingSince && row.status === 'open' ? i18n.ago(row.waitingSince) : null;
  const waitMin = row.waitingSince ? (Date.now() - Date.parse(row.waitingSince)) / 60_000 : 0;
  const statusTag = row.status !== 'open' ? i18n.t(`status.${row.status}`) : row.mode === 'ai' ? i18n.t('mode.ai') : null;
  return (
    <div role="listitem" class="row-wrap" style={{ transform: `translateY(${top}px)` }}>
    <a
      href={`/support/c/${row.id}`}
      data-id={row.id}
      class={`row${open ? ' open' : ''}${cursor ? ' cursor' : ''}${unread ? ' unread' : ''}`}
      aria-current={open ? 'page' : undefined}
      tabIndex={cursor || (!s.cursorId && top === 0) ? 0 : -1}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        void c.open(row.id);
      }}
    >
      <Avatar id={row.contact.id} name={name} size={32} />
      <div class="row-main">
        <div class="row-top">
          <span class="row-name">{name}</span>
          {waiting ? (
            <span class={`wait${waitMin > 60 ? ' late' : waitMin > 15 ? ' warn' : ''}`} title={i18n.t('list.waiting', { time: waiting })}>
              {waiting}
            </span>
          ) : (
            <span class="muted time">{row.lastMessageAt ? i18n.ago(row.lastMessageAt) : ''}</span>
          )}
        </div>
        <div class="row-preview">{typing ? <em class="typing-inline">{i18n.t('thread.customerTyping')}</em> : preview}</div>
        <div class="row-meta">
          {statusTag && <span class={`tag tag-${row.status === 'open' ? 'ai' : row.status}`}>{statusTag}</span>}
          {row.assignee ? (
            <span class="assignee">
              <Avatar id={row.assignee.id} name={row.assignee.name || '?'} size={16} />
              {row.assignee.id === me ? i18n.t('list.you') : row.assignee.name}
            </span>
          ) : row.mode === 'human' ? (
            <span class="muted">{i18n.t('unassigned')}</span>
          ) : null}
          {unread > 0 && (
            <span class="unread-badge" aria-label={i18n.plural('list.unread', unread)}>
              {unread}
            </span>
          )}
        </div>
      </div>
    </a>
    </div>
  );
}
