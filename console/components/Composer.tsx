// The composer: Reply or Internal note, `/` canned replies, a draft per conversation, Enter sends and
// Shift+Enter breaks the line, and the collision warning when another agent replied after the draft began.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { InboxRowDto } from '../../protocol/console.ts';
import { MAX_MESSAGE_LENGTH, MAX_NOTE_CHARS } from '../../protocol/limits.ts';
import { ApiError } from '../api.ts';
import { CommandError, type Controller } from '../controller.ts';
import { fillCanned, insertCanned, matchCanned, slashQuery, type CannedReply } from '../state/canned.ts';
import { lastSeqOf, repliedSince } from '../state/thread.ts';
import type { AppState } from '../store.ts';
import { Icon } from './icons.tsx';
import { contactName } from './List.tsx';

/** Until the workspace's own canned replies have a route: a starter set (see console/README.md). */
export const DEFAULT_CANNED: Record<'en' | 'es', CannedReply[]> = {
  en: [
    { shortcut: 'hi', title: 'Greeting', text: 'Hi {{name}}, thanks for reaching out! Let me look into this for you.' },
    { shortcut: 'payment', title: 'Last payment', text: 'I can see your payment of {{payment.amount}}: it is {{payment.status}}.' },
    { shortcut: 'failed', title: 'Failed payment', text: 'Your payment of {{payment.amount}} did not go through, and no money left your account. Could you try again?' },
    { shortcut: 'wait', title: 'One moment', text: 'Thanks for your patience, {{name}}. I am checking this now.' },
    { shortcut: 'bye', title: 'Closing', text: 'Glad I could help, {{name}}! Is there anything else?' },
  ],
  es: [
    { shortcut: 'hola', title: 'Saludo', text: 'Hola {{name}}, ¡gracias por escribirnos! Lo reviso ahora mismo.' },
    { shortcut: 'pago', title: 'Último pago', text: 'Veo tu pago de {{payment.amount}}: está {{payment.status}}.' },
    { shortcut: 'fallido', title: 'Pago fallido', text: 'Tu pago de {{payment.amount}} no se completó y no se cobró nada. ¿Puedes intentarlo de nuevo?' },
    { shortcut: 'espera', title: 'Un momento', text: 'Gracias por tu paciencia, {{name}}. Lo estoy revisando.' },
    { shortcut: 'adios', title: 'Cierre', text: '¡Me alegra haber ayudado, {{name}}! ¿Algo más?' },
  ],
};

export function Composer({ s, c, row }: { s: AppState; c: Controller; row: InboxRowDto }) {
  const i18n = s.i18n;
  const id = row.id;
  const ref = useRef<HTMLTextAreaElement>(null);
  const draft = c.drafts?.get(id) ?? null;
  const [text, setText] = useState(draft?.text ?? '');
  const [mode, setMode] = useState<'reply' | 'note'>(draft?.mode ?? 'reply');
  const [sinceSeq, setSinceSeq] = useState(draft?.sinceSeq ?? row.lastSeq);
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [pick, setPick] = useState(0);
  const [collision, setCollision] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Another conversation: its own draft.
  useEffect(() => {
    const d = c.drafts?.get(id) ?? null;
    setText(d?.text ?? '');
    setMode(d?.mode ?? 'reply');
    setSinceSeq(d?.sinceSeq ?? row.lastSeq);
    setCollision(null);
    setError(null);
    setSlash(null);
  }, [id]);

  // r / n from the keyboard.
  useEffect(() => {
    if (!s.composerFocus) return;
    setMode(s.composerMode);
    ref.current?.focus();
  }, [s.composerFocus]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  const save = (next: string, m = mode) => {
    const since = text.trim() ? sinceSeq : s.thread?.conversationId === id ? lastSeqOf(s.thread) : row.lastSeq;
    if (!text.trim()) setSinceSeq(since);
    c.drafts?.set(id, next ? { text: next, mode: m, sinceSeq: since, updatedAt: Date.now() } : null);
  };

  const canned = s.canned ?? DEFAULT_CANNED[i18n.locale];
  const matches = slash ? matchCanned(canned, slash.query) : [];

  const lastPayment = s.sidebar?.conversationId === id ? [...(s.sidebar.data?.payments ?? [])].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))[0] : undefined;
  const applyCanned = (r: CannedReply) => {
    const el = ref.current;
    if (!el || !slash) return;
    const filled = fillCanned(r.text, {
      name: row.contact.name ?? '',
      email: row.contact.email ?? '',
      lastPaymentReference: lastPayment?.reference ?? '',
      lastPaymentAmount: lastPayment ? `${lastPayment.amount} ${lastPayment.token}` : '',
      lastPaymentStatus: lastPayment ? i18n.t(`payment.${lastPayment.status}`).toLowerCase() : '',
      agentName: s.me?.agent.name ?? '',
    }).replace(/ ,/g, ',').replace(/\s{2,}/g, ' ');
    const next = insertCanned(text, slash.start, el.selectionStart, filled);
    setText(next.text);
    save(next.text);
    setSlash(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const send = async (force = false) => {
    const body = text.trim();
    if (!body || sending) return;
    if (mode === 'reply' && !force && s.thread?.conversationId === id) {
      const other = repliedSince(s.thread, s.me!.agent.id, sinceSeq);
      if (other) {
        setCollision(other.sender.name ?? i18n.t('someone'));
        return;
      }
    }
    setSending(true);
    setError(null);
    setCollision(null);
    try {
      if (mode === 'note') await c.addNote(id, body);
      else await c.reply(id, body);
      setText('');
      c.drafts?.set(id, null);
      setSinceSeq(s.thread ? lastSeqOf(s.thread) : row.lastSeq);
    } catch (e) {
      const msg = e instanceof ApiError || e instanceof CommandError ? e.body.message : String((e as Error).message);
      setError(mode === 'note' && e instanceof CommandError && e.body.code === 'UNKNOWN_EVENT' ? i18n.t('composer.noteUnavailable') : i18n.t('composer.failed', { message: msg }));
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (slash && matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        applyCanned(matches[Math.min(pick, matches.length - 1)]!);
        return;
      }
    }
    if (e.key === 'Escape') {
      if (slash) setSlash(null);
      else (e.currentTarget as HTMLElement).blur();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    setText(el.value);
    save(el.value);
    const q = slashQuery(el.value, el.selectionStart);
    setSlash(q);
    setPick(0);
    c.typing(mode, el.value.length > 0);
  };

  const isNote = mode === 'note';
  const name = contactName(s, row.contact);
  return (
    <div class={`composer${isNote ? ' is-note' : ''}`}>
      {collision && (
        <div class="collision" role="alert">
          <Icon name="alert" /> <span>{i18n.t('composer.collision', { name: collision })}</span>
          <button class="btn small" type="button" onClick={() => setCollision(null)}>
            {i18n.t('composer.review')}
          </button>
          <button class="btn small primary" type="button" onClick={() => void send(true)}>
            {i18n.t('composer.sendAnyway')}
          </button>
        </div>
      )}
      {row.mode === 'ai' && !isNote && <div class="composer-hint">{i18n.t('composer.aiMode')}</div>}
      <div class="composer-tabs" role="tablist" aria-label={i18n.t('composer.reply')}>
        <button
          role="tab"
          type="button"
          aria-selected={!isNote}
          class={!isNote ? 'active' : ''}
          onClick={() => {
            setMode('reply');
            save(text, 'reply');
            ref.current?.focus();
          }}
          aria-keyshortcuts="r"
        >
          {i18n.t('composer.reply')}
        </button>
        <button
          role="tab"
          type="button"
          aria-selected={isNote}
          class={isNote ? 'active' : ''}
          onClick={() => {
            setMode('note');
            save(text, 'note');
            ref.current?.focus();
          }}
          aria-keyshortcuts="n"
        >
          <Icon name="note" size={14} /> {i18n.t('composer.note')}
        </button>
      </div>
      {slash && (
        <div class="canned" role="listbox" aria-label={i18n.t('canned.title')}>
          {matches.length === 0 ? (
            <div class="canned-none muted">{i18n.t('canned.none')}</div>
          ) : (
            matches.map((r, i) => (
              <div
                key={r.shortcut}
                role="option"
                aria-selected={i === pick}
                class={`canned-item${i === pick ? ' active' : ''}`}
                onMouseDown={(e) => {
                  e.preventDefault();
                  applyCanned(r);
                }}
              >
                <code>/{r.shortcut}</code> <strong>{r.title}</strong> <span class="muted">{r.text}</span>
              </div>
            ))
          )}
        </div>
      )}
      <div class="composer-box">
        <textarea
          ref={ref}
          rows={2}
          value={text}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onBlur={() => c.typing(mode, false)}
          aria-label={isNote ? i18n.t('composer.note') : i18n.t('composer.reply')}
          placeholder={isNote ? i18n.t('composer.placeholderNote') : i18n.t('composer.placeholderReply', { name })}
          maxLength={isNote ? MAX_NOTE_CHARS : MAX_MESSAGE_LENGTH}
        />
        <div class="composer-bar">
          <span class="muted small">{error ? <span class="form-error">{error}</span> : i18n.t('composer.hint')}</span>
          <button class={`btn ${isNote ? 'note-btn' : 'primary'}`} type="button" disabled={!text.trim() || sending} onClick={() => void send()}>
            <Icon name={isNote ? 'note' : 'send'} size={14} /> {isNote ? i18n.t('composer.addNote') : i18n.t('composer.send')}
          </button>
        </div>
      </div>
    </div>
  );
}
