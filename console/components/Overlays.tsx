// Overlays, their own chunk (fetched the first time one opens): search (Ctrl/⌘+K), keyboard help (?),
// starting a conversation, preferences. Each is a modal dialog: focus moves in, Escape closes, focus returns.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { SearchHitDto, SearchResponse } from '../../protocol/console.ts';
import { MAX_MESSAGE_LENGTH } from '../../protocol/limits.ts';
import { ApiError, isMissingRoute } from '../api.ts';
import type { Controller } from '../controller.ts';
import { SHORTCUTS, type KeyAction } from '../state/keys.ts';
import type { AppState, Theme } from '../store.ts';
import { Icon } from './icons.tsx';
import { trimAmount } from './Customer.tsx';

export function Overlay({ s, c }: { s: AppState; c: Controller }) {
  switch (s.overlay) {
    case 'search':
      return <Search s={s} c={c} />;
    case 'help':
      return <Help s={s} c={c} />;
    case 'start':
      return <Start s={s} c={c} />;
    case 'prefs':
      return <Prefs s={s} c={c} />;
    default:
      return null;
  }
}

function Dialog({ c, label, children, wide }: { c: Controller; label: string; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('[autofocus], input, button, textarea, select');
    first?.focus();
    return () => back?.focus?.();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      c.store.set({ overlay: null });
    }
    // Focus stays in the dialog.
    if (e.key === 'Tab' && ref.current) {
      const f = [...ref.current.querySelectorAll<HTMLElement>('input, button, textarea, select, a[href]')].filter((x) => !x.hasAttribute('disabled'));
      if (!f.length) return;
      const [a, z] = [f[0]!, f.at(-1)!];
      if (e.shiftKey && document.activeElement === a) {
        e.preventDefault();
        z.focus();
      } else if (!e.shiftKey && document.activeElement === z) {
        e.preventDefault();
        a.focus();
      }
    }
  };
  return (
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && c.store.set({ overlay: null })}>
      <div class={`dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={label} ref={ref} onKeyDown={onKeyDown}>
        {children}
      </div>
    </div>
  );
}

function hitTitle(s: AppState, h: SearchHitDto): string {
  const who = h.type === 'payment' ? h.contact : h.contact;
  return who?.name || who?.email || who?.externalId || s.i18n.t('thread.customer');
}

function Search({ s, c }: { s: AppState; c: Controller }) {
  const i18n = s.i18n;
  const [q, setQ] = useState('');
  const [res, setRes] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pick, setPick] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const query = q.trim();
    if (query.length < 2) {
      setRes(null);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setBusy(true);
      c.search(query, ctl.signal)
        .then((r) => {
          setRes(r);
          setError(null);
          setPick(0);
        })
        .catch((e) => {
          if ((e as Error).name === 'AbortError') return;
          setError(isMissingRoute(e) ? i18n.t('search.unavailable') : e instanceof ApiError ? e.message : String(e));
        })
        .finally(() => setBusy(false));
    }, 180);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q]);
  const hits = res?.hits ?? [];
  const go = (h: SearchHitDto) => {
    if (h.conversationId) {
      c.store.set({ overlay: null });
      void c.open(h.conversationId, { atSeq: h.type === 'message' ? h.seq : null });
    } else {
      c.store.set({ overlay: 'start' });
      pendingStart = h.type === 'payment' ? { paymentId: h.payment.reference } : h.type === 'contact' && h.contact.externalId ? { externalId: h.contact.externalId } : null;
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (hits.length) setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length);
    } else if (e.key === 'Enter' && hits[pick]) {
      e.preventDefault();
      go(hits[pick]!);
    }
  };
  return (
    <Dialog c={c} label={i18n.t('search.label')} wide>
      <div class="search-box">
        <Icon name="search" size={18} />
        <input
          type="text"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          placeholder={i18n.t('search.placeholder')}
          aria-label={i18n.t('search.label')}
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls="search-results"
          aria-activedescendant={hits.length ? `hit-${pick}` : undefined}
          autoFocus
          spellcheck={false}
        />
        {busy && <span class="spinner" aria-hidden="true" />}
      </div>
      <div class="search-results" id="search-results" role="listbox" aria-label={i18n.t('search.label')}>
        {error ? (
          <p class="muted pad">{error}</p>
        ) : q.trim().length < 2 ? (
          <p class="muted pad">{i18n.t('search.hint')}</p>
        ) : res && !hits.length ? (
          <p class="muted pad">{i18n.t('search.empty')}</p>
        ) : (
          hits.map((h, i) => (
            <div
              id={`hit-${i}`}
              key={i}
              role="option"
              aria-selected={i === pick}
              class={`hit${i === pick ? ' active' : ''}`}
              onMouseEnter={() => setPick(i)}
              onClick={() => go(h)}
            >
              <span class={`hit-kind k-${h.type}`}>{i18n.t(`search.${h.type}`)}</span>
              <div class="hit-main">
                <div class="hit-title">{hitTitle(s, h)}</div>
                <div class="hit-sub muted">
                  {h.type === 'message' ? (
                    <Snippet text={h.snippet} q={q} />
                  ) : h.type === 'payment' ? (
                    <>
                      {trimAmount(h.payment.amount)} {h.payment.token} · {i18n.t(`payment.${h.payment.status}` as 'payment.failed')} · <code>{h.payment.reference}</code>
                      {h.payment.txHash && <code> · {h.payment.txHash.slice(0, 14)}…</code>}
                    </>
                  ) : (
                    [h.contact.email, h.contact.externalId].filter(Boolean).join(' · ')
                  )}
                </div>
              </div>
              {h.type === 'message' && <span class="muted small">{i18n.ago(h.createdAt)}</span>}
              {!h.conversationId && <span class="muted small">{i18n.t('search.noConversation')}</span>}
            </div>
          ))
        )}
        {res?.partial && <p class="muted small pad">{i18n.t('search.partial')}</p>}
      </div>
    </Dialog>
  );
}

/** The words searched for, marked in the snippet (as text nodes: a snippet is never HTML). */
function Snippet({ text, q }: { text: string; q: string }) {
  const words = q.trim().split(/\s+/).filter((w) => w.length > 1).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return <>{text}</>;
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'gi'));
  return (
    <>
      {parts.map((p, i) => (i % 2 ? <mark key={i}>{p}</mark> : p))}
    </>
  );
}

let pendingStart: { paymentId?: string; externalId?: string } | null = null;

function Start({ s, c }: { s: AppState; c: Controller }) {
  const i18n = s.i18n;
  const preset = pendingStart;
  pendingStart = null;
  const [by, setBy] = useState<'externalId' | 'paymentId'>(preset?.paymentId ? 'paymentId' : 'externalId');
  const [who, setWho] = useState(preset?.paymentId ?? preset?.externalId ?? '');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await c.start({ [by]: who.trim() }, text.trim());
      c.store.set({ overlay: null });
    } catch (err) {
      setError(isMissingRoute(err) ? i18n.t('start.unavailable') : err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <Dialog c={c} label={i18n.t('start.title')}>
      <form onSubmit={submit} class="dialog-form">
        <h2>{i18n.t('start.title')}</h2>
        <fieldset class="seg">
          <legend class="sr-only">{i18n.t('start.customer')}</legend>
          <label class={by === 'externalId' ? 'on' : ''}>
            <input type="radio" name="by" checked={by === 'externalId'} onChange={() => setBy('externalId')} /> {i18n.t('start.byExternal')}
          </label>
          <label class={by === 'paymentId' ? 'on' : ''}>
            <input type="radio" name="by" checked={by === 'paymentId'} onChange={() => setBy('paymentId')} /> {i18n.t('start.byPayment')}
          </label>
        </fieldset>
        <label class="field">
          <span>{by === 'paymentId' ? i18n.t('start.byPayment') : i18n.t('start.byExternal')}</span>
          <input value={who} onInput={(e) => setWho(e.currentTarget.value)} required maxLength={256} spellcheck={false} autoFocus />
        </label>
        <label class="field">
          <span>{i18n.t('start.message')}</span>
          <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} required maxLength={MAX_MESSAGE_LENGTH} />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => c.store.set({ overlay: null })}>
            {i18n.t('cancel')}
          </button>
          <button class="btn primary" type="submit" disabled={busy || !who.trim() || !text.trim()}>
            {i18n.t('start.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const HELP_TEXT: Record<KeyAction, string> = {
  next: 'help.next',
  prev: 'help.prev',
  open: 'help.open',
  reply: 'help.reply',
  note: 'help.note',
  resolve: 'help.resolve',
  assign: 'help.assign',
  snooze: 'help.snooze',
  search: 'help.search',
  help: 'help.help',
  escape: 'help.escape',
};

function Help({ s, c }: { s: AppState; c: Controller }) {
  const i18n = s.i18n;
  return (
    <Dialog c={c} label={i18n.t('help.title')}>
      <div class="dialog-form">
        <h2>{i18n.t('help.title')}</h2>
        <table class="keys">
          <tbody>
            {[...SHORTCUTS, { keys: ['/'], action: 'canned' as const }, { keys: ['Esc'], action: 'escape' as const }].map((k) => (
              <tr key={k.action}>
                <td>
                  {k.keys.map((key) => (
                    <kbd key={key}>{key}</kbd>
                  ))}
                </td>
                <td>{i18n.t((k.action === 'canned' ? 'help.canned' : HELP_TEXT[k.action]) as 'help.next')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => c.store.set({ overlay: null })}>
            {i18n.t('close')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function Prefs({ s, c }: { s: AppState; c: Controller }) {
  const i18n = s.i18n;
  const p = s.prefs;
  return (
    <Dialog c={c} label={i18n.t('nav.settings')}>
      <div class="dialog-form">
        <h2>{i18n.t('nav.settings')}</h2>
        <h3>{i18n.t('prefs.title')}</h3>
        <label class="check">
          <input type="checkbox" checked={!!p.sound} onChange={(e) => void c.setPrefs({ sound: e.currentTarget.checked })} /> {i18n.t('prefs.sound')}
        </label>
        <label class="check">
          <input type="checkbox" checked={!!p.browserNotifications} onChange={(e) => void c.setPrefs({ browserNotifications: e.currentTarget.checked })} /> {i18n.t('prefs.browser')}
        </label>
        <label class="check">
          <input type="checkbox" checked={p.titleCount !== false} onChange={(e) => void c.setPrefs({ titleCount: e.currentTarget.checked })} /> {i18n.t('prefs.titleCount')}
        </label>
        <label class="field">
          <span>{i18n.t('prefs.theme')}</span>
          <select value={s.theme} onChange={(e) => c.applyTheme(e.currentTarget.value as Theme)}>
            <option value="auto">Auto</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <label class="field">
          <span>{i18n.t('prefs.language')}</span>
          <select value={i18n.locale} onChange={(e) => void c.setLocale(e.currentTarget.value as 'en' | 'es')}>
            <option value="en">English</option>
            <option value="es">Español</option>
          </select>
        </label>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => c.store.set({ overlay: null })}>
            {i18n.t('close')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
