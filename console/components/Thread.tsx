// The open conversation: header with its state and actions, the messages (a window of them: a thread of
// thousands keeps a few hundred in the DOM, more as you scroll up), notes, typing, and the composer.
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MessageDto } from '../../protocol/chat.ts';
import type { InboxRowDto, NoteDto } from '../../protocol/console.ts';
import type { PaymentEventDto } from '../../protocol/payments.ts';
import type { Controller } from '../controller.ts';
import { threadItems, type ThreadItem } from '../state/thread.ts';
import type { AppState } from '../store.ts';
import { Composer } from './Composer.tsx';
import { Avatar, Icon } from './icons.tsx';
import { contactName } from './List.tsx';
import { trimAmount } from './Customer.tsx';

const WINDOW = 150;
const GROW = 100;
/** Items in the DOM at most, however long the thread. */
const MAX = 400;

export function Thread({ s, c }: { s: AppState; c: Controller }) {
  const t = s.thread;
  if (!t) {
    return (
      <section class="pane thread-pane empty-thread" aria-label={s.i18n.t('thread.empty')}>
        <div class="empty">
          <div class="empty-mark" aria-hidden="true">
            <Icon name="inbox" size={28} />
          </div>
          <p>{s.i18n.t('thread.empty')}</p>
          <p class="muted">{s.i18n.t('thread.emptyHint')}</p>
        </div>
      </section>
    );
  }
  const row = s.inbox.rows.get(t.conversationId);
  return (
    <section class="pane thread-pane" aria-label={row ? contactName(s, row.contact) : s.i18n.t('thread.loading')}>
      {row && <ThreadHeader s={s} c={c} row={row} />}
      <Messages s={s} c={c} row={row ?? null} />
      {row && <Presence s={s} row={row} />}
      {row && <Composer s={s} c={c} row={row} />}
    </section>
  );
}

function ThreadHeader({ s, c, row }: { s: AppState; c: Controller; row: InboxRowDto }) {
  const i18n = s.i18n;
  const me = s.me!.agent.id;
  const mine = row.assignee?.id === me;
  const viewers = (s.viewers[row.id] ?? []).filter((v) => v.id !== me);
  const [snooze, setSnooze] = useState(false);
  const snoozeAt = (hours: number | 'tomorrow' | 'monday' | null) => {
    setSnooze(false);
    if (hours === null) return void c.setStatus(row.id, 'snoozed');
    const d = new Date();
    if (typeof hours === 'number') d.setTime(d.getTime() + hours * 3_600_000);
    else {
      d.setDate(d.getDate() + (hours === 'tomorrow' ? 1 : ((8 - d.getDay()) % 7 || 7)));
      d.setHours(9, 0, 0, 0);
    }
    void c.setStatus(row.id, 'snoozed', d.toISOString());
  };
  useEffect(() => {
    if (s.overlay === 'snooze') {
      setSnooze(true);
      c.store.set({ overlay: null });
    }
  }, [s.overlay]);
  return (
    <header class="thread-head">
      <button class="icon-btn only-narrow" type="button" onClick={() => c.close()} aria-label={i18n.t('thread.back')}>
        <Icon name="back" />
      </button>
      <div class="thread-title">
        <h2>{contactName(s, row.contact)}</h2>
        <div class="thread-sub">
          <span class={`tag tag-${row.mode === 'ai' && row.status === 'open' ? 'ai' : row.status}`}>{row.mode === 'ai' && row.status === 'open' ? i18n.t('mode.ai') : i18n.t(`status.${row.status}`)}</span>
          <span class="muted">{row.assignee ? i18n.t('assignedTo', { name: mine ? i18n.t('list.you') : row.assignee.name }) : i18n.t('unassigned')}</span>
          {row.status === 'snoozed' && row.snoozedUntil && <span class="muted">· {i18n.dateTime(row.snoozedUntil)}</span>}
        </div>
      </div>
      {viewers.length > 0 && (
        <div class="viewers" role="group" aria-label={i18n.t('thread.viewing', { names: viewers.map((v) => v.name).join(', ') })}>
          {viewers.slice(0, 4).map((v) => (
            <Avatar key={v.id} id={v.id} name={v.name} size={24} title={i18n.t('thread.viewing', { names: v.name })} />
          ))}
        </div>
      )}
      <div class="thread-actions" role="toolbar" aria-label={i18n.t('nav.conversations')}>
        {row.mode === 'ai' && row.status !== 'resolved' ? (
          <button class="btn primary" type="button" onClick={() => void c.takeOver(row.id)}>
            {i18n.t('action.takeOver')}
          </button>
        ) : (
          row.status !== 'resolved' && (
            <button class="btn" type="button" onClick={() => void c.returnToAssistant(row.id)} title={i18n.t('action.returnToAssistant')} aria-label={i18n.t('action.returnToAssistant')}>
              <Icon name="bot" /> <span class="lbl">{i18n.t('action.returnToAssistant')}</span>
            </button>
          )
        )}
        {!mine && row.mode === 'human' && (
          <button class="btn" type="button" onClick={() => void c.assign(row.id, me)} aria-keyshortcuts="a" title={i18n.t('action.assignMe')} aria-label={i18n.t('action.assignMe')}>
            <Icon name="user" /> <span class="lbl">{i18n.t('action.assignMe')}</span>
          </button>
        )}
        {row.status === 'open' && (
          <button class="btn" type="button" onClick={() => void c.setStatus(row.id, 'pending')} title={i18n.t('action.pending')} aria-label={i18n.t('action.pending')}>
            <Icon name="pause" /> <span class="lbl">{i18n.t('action.pending')}</span>
          </button>
        )}
        {row.status !== 'resolved' && (
          <div class="menu-wrap">
            <button class="btn" type="button" aria-haspopup="menu" aria-expanded={snooze} onClick={() => setSnooze(!snooze)} aria-keyshortcuts="s" title={i18n.t('action.snooze')} aria-label={i18n.t('action.snooze')}>
              <Icon name="snooze" /> <span class="lbl">{i18n.t('action.snooze')}</span>
            </button>
            {snooze && (
              <div class="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setSnooze(false)}>
                <button role="menuitem" type="button" autoFocus onClick={() => snoozeAt(1)}>
                  {i18n.t('action.snooze1h')}
                </button>
                <button role="menuitem" type="button" onClick={() => snoozeAt('tomorrow')}>
                  {i18n.t('action.snoozeTomorrow')}
                </button>
                <button role="menuitem" type="button" onClick={() => snoozeAt('monday')}>
                  {i18n.t('action.snoozeNextWeek')}
                </button>
                <button role="menuitem" type="button" onClick={() => snoozeAt(null)}>
                  {i18n.t('action.snoozeReply')}
                </button>
              </div>
            )}
          </div>
        )}
        {row.status === 'resolved' ? (
          <button class="btn" type="button" onClick={() => void c.setStatus(row.id, 'open')}>
            {i18n.t('action.reopen')}
          </button>
        ) : (
          <button class="btn success" type="button" onClick={() => void c.setStatus(row.id, 'resolved')} aria-keyshortcuts="e">
            <Icon name="check" /> {i18n.t('action.resolve')}
          </button>
        )}
        <button class="icon-btn" type="button" onClick={() => c.store.set({ mobilePane: s.mobilePane === 'sidebar' ? 'thread' : 'sidebar' })} aria-label={i18n.t('sidebar.customer')} aria-pressed={s.mobilePane === 'sidebar'}>
          <Icon name="sidebar" />
        </button>
      </div>
    </header>
  );
}

function Messages({ s, c, row }: { s: AppState; c: Controller; row: InboxRowDto | null }) {
  const t = s.thread!;
  const items = threadItems(t);
  // The window, counted from the newest item: [len - tail, len - head). At most MAX items in the DOM; scrolling
  // up grows it, then slides it (dropping the newest); scrolling back down slides it back.
  const [win, setWin] = useState({ tail: WINDOW, head: 0 });
  const ref = useRef<HTMLDivElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ key: string; offset: number } | { stick: true } | null>(null);
  /** At the bottom: stay there as messages arrive or get their real height (content-visibility lays out late). */
  const stuck = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || !inner.current) return;
    const ro = new ResizeObserver(() => {
      if (stuck.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(inner.current);
    return () => ro.disconnect();
  }, [t.conversationId]);
  const start = Math.max(0, items.length - win.tail);
  const end = Math.max(start, items.length - win.head);
  const shown = items.slice(start, end);

  useEffect(() => setWin({ tail: WINDOW, head: 0 }), [t.conversationId]);

  // Before each render: stick to the bottom if we were there (and the window ends at the newest), else remember
  // the first item on screen and where it was, to put it back exactly there after the DOM changed.
  const el = ref.current;
  if (el) {
    if (win.head === 0 && el.scrollHeight - el.scrollTop - el.clientHeight < 80) anchor.current = { stick: true };
    else {
      const top = el.getBoundingClientRect().top;
      const first = [...el.querySelectorAll<HTMLElement>('[data-key]')].find((n) => n.getBoundingClientRect().bottom > top);
      anchor.current = first ? { key: first.dataset.key!, offset: first.getBoundingClientRect().top - top } : null;
    }
  }

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (s.focusSeq) {
      const target = el.querySelector(`[data-seq="${s.focusSeq}"]`) as HTMLElement | null;
      if (target) {
        target.scrollIntoView({ block: 'center' });
        target.classList.add('flash');
        c.store.set({ focusSeq: null });
        return;
      }
    }
    const a = anchor.current;
    if (!a || 'stick' in a) {
      stuck.current = true;
      el.scrollTop = el.scrollHeight;
    } else {
      const node = el.querySelector<HTMLElement>(`[data-key="${a.key}"]`);
      if (node) el.scrollTop += node.getBoundingClientRect().top - el.getBoundingClientRect().top - a.offset;
    }
  });

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    stuck.current = win.head === 0 && el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 300) {
      if (start > 0) setWin((w) => ({ tail: w.tail + GROW, head: w.tail + GROW - w.head > MAX ? w.head + GROW : w.head }));
      else if (t.hasMore && !t.loading) void c.loadOlder();
    } else if (win.head > 0 && el.scrollHeight - el.scrollTop - el.clientHeight < 300) {
      setWin((w) => ({ head: Math.max(0, w.head - GROW), tail: Math.max(WINDOW, w.tail - GROW) }));
    }
  };

  const me = s.me!.agent.id;
  const readUpTo = s.customerRead[t.conversationId] ?? 0;
  let lastAgentSeq = 0;
  for (let i = t.messages.length - 1; i >= 0; i--)
    if (t.messages[i]!.sender.type === 'agent') {
      lastAgentSeq = t.messages[i]!.seq;
      break;
    }
  let prevDay = '';
  const customer = row ? contactName(s, row.contact) : '';
  return (
    <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={s.i18n.t('nav.conversations')}>
      <div class="msgs-inner" ref={inner}>
      {t.loading && !t.messages.length ? (
        <p class="muted center">{s.i18n.t('thread.loading')}</p>
      ) : (
        <>
          {!t.hasMore && start === 0 ? <p class="thread-start muted">{s.i18n.t('thread.start')}</p> : <p class="muted center small">{s.i18n.t('thread.older')}</p>}
          {win.head > 0 && (
            <button class="btn small jump" type="button" onClick={() => setWin({ tail: WINDOW, head: 0 })}>
              {s.i18n.t('thread.jumpLatest')}
            </button>
          )}
          {row?.handoff && row.mode === 'human' && (
            <div class="handoff-banner" role="note">
              <Icon name="users" /> {s.i18n.t('thread.handoff', { reason: handoffReason(s, row.handoff.reason) })} · {s.i18n.time(row.handoff.at)}
            </div>
          )}
          {shown.map((item) => {
            const at = item.type === 'message' ? item.m.createdAt : item.n.createdAt;
            const day = s.i18n.day(at);
            const sep = day !== prevDay;
            prevDay = day;
            return (
              <div key={item.key} data-key={item.key}>
                {sep && (
                  <div class="day-sep" role="separator">
                    <span>{day}</span>
                  </div>
                )}
                {item.type === 'note' ? <Pure render={Note} i18n={s.i18n} n={item.n} /> : <Pure render={Message} i18n={s.i18n} m={item.m} me={me} customer={customer} read={item.m.seq === lastAgentSeq ? readUpTo >= item.m.seq : null} />}
              </div>
            );
          })}
        </>
      )}
      </div>
    </div>
  );
}

function handoffReason(s: AppState, reason: string): string {
  const key = `handoff.${reason}`;
  const text = s.i18n.t(key as 'handoff.customer-asked');
  return text === key ? reason : text;
}

/**
 * Renders `render(props)` again only when a prop changed (by identity): a thread of hundreds of messages
 * re-renders just the new ones when something else in the console changes.
 */
class Pure<P extends object> extends Component<P & { render: (p: P) => preact.JSX.Element }> {
  override shouldComponentUpdate(next: Record<string, unknown>): boolean {
    const cur = this.props as Record<string, unknown>;
    for (const k in next) if (next[k] !== cur[k]) return true;
    return false;
  }
  override render() {
    return this.props.render(this.props);
  }
}

type Texts = AppState['i18n'];

function Note({ i18n, n }: { i18n: Texts; n: NoteDto }) {
  const s = { i18n };
  return (
    <article class="msg note" aria-label={s.i18n.t('thread.note')}>
      <div class="note-head">
        <Icon name="note" size={14} /> <strong>{s.i18n.t('thread.note')}</strong> · {n.author?.name ?? ''} · <time dateTime={n.createdAt}>{s.i18n.time(n.createdAt)}</time>
      </div>
      <p class="text">{n.text}</p>
    </article>
  );
}

function Message({ i18n, m, me, customer, read }: { i18n: Texts; m: MessageDto; me: string; customer: string; read: boolean | null }) {
  if (m.kind === 'system') {
    return (
      <p class="msg-system" data-seq={m.seq}>
        {m.text} · <time dateTime={m.createdAt}>{i18n.time(m.createdAt)}</time>
      </p>
    );
  }
  const side = m.sender.type === 'contact' ? 'in' : 'out';
  const who = m.sender.type === 'contact' ? customer : m.sender.type === 'assistant' ? i18n.t('thread.assistant') : m.sender.id === me ? i18n.t('list.you') : (m.sender.name ?? '');
  const payment = m.kind === 'payment' && m.payload ? (m.payload as unknown as PaymentEventDto) : null;
  return (
    <article class={`msg ${side} from-${m.sender.type}`} data-seq={m.seq}>
      <div class="msg-meta">
        <span class="who">{who}</span> <time dateTime={m.createdAt}>{i18n.time(m.createdAt)}</time>
      </div>
      {payment ? <PaymentCard i18n={i18n} p={payment} /> : <p class="bubble text">{m.text}</p>}
      {read !== null && <div class="read-mark muted">{read ? `✓✓ ${i18n.t('thread.read')}` : `✓ ${i18n.t('thread.delivered')}`}</div>}
    </article>
  );
}

function PaymentCard({ i18n, p }: { i18n: Texts; p: PaymentEventDto }) {
  return (
    <div class={`pay-card st-${p.status}`}>
      <div class="pay-top">
        <span class="pay-amount">
          {trimAmount(p.amount)} {p.token}
        </span>
        <span class={`pill st-${p.status}`}>{i18n.t(`payment.${p.status}`)}</span>
      </div>
      <div class="muted small">{p.message}</div>
      {p.failure && !p.message.includes(p.failure.message) && (
        <div class="pay-reason">
          {i18n.t('sidebar.reason')}: {p.failure.message} <code>{p.failure.code}</code>
        </div>
      )}
      {p.receiptNumber !== null && p.receiptUrl && (
        <a class="link small" href={p.receiptUrl} target="_blank" rel="noopener noreferrer">
          <Icon name="receipt" size={14} /> {i18n.t('sidebar.receipt', { n: p.receiptNumber })}
        </a>
      )}
    </div>
  );
}

/** Who else is here and what they are doing: "Ana is replying…", the customer typing. */
function Presence({ s, row }: { s: AppState; row: InboxRowDto }) {
  const typing = s.typing[row.id];
  const lines: string[] = [];
  if (typing?.customer) lines.push(s.i18n.t('thread.customerTyping'));
  for (const a of typing?.agents ?? []) lines.push(s.i18n.t(a.target === 'note' ? 'thread.agentNoting' : 'thread.agentReplying', { name: a.name }));
  return (
    <div class="presence" aria-live="polite">
      {lines.length > 0 && (
        <span class="typing">
          <span class="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {lines.join(' · ')}
        </span>
      )}
    </div>
  );
}

export type { ThreadItem };
