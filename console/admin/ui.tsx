// Small pieces the settings screens share: readable API errors, a copy button, a card, a safe Markdown preview.
import { useState } from 'preact/hooks';
import type { ComponentChildren, VNode } from 'preact';
import { ApiError } from '../api.ts';
import type { Controller } from '../controller.ts';
import type { AppState } from '../store.ts';
import type { AdminText } from './i18n/index.ts';
import { AdminIcon } from './icons.tsx';
import { Icon } from '../components/icons.tsx';

export interface Ctx {
  s: AppState;
  c: Controller;
  t: AdminText;
  path: string;
  go(path: string, opts?: { replace?: boolean }): void;
  /** A new article prefilled from an unanswered question ("Write a new article"). */
  prefill: Prefill | null;
  setPrefill(p: Prefill | null): void;
}
export interface Prefill {
  language: 'en' | 'es';
  question: string;
}

/** An API error in words: the code in the agent's language, then the server's details (which fields, why). */
export function errorText(t: AdminText, e: unknown): string {
  if (!(e instanceof ApiError)) return t.t('error.network');
  const b = e.body;
  const known: Partial<Record<string, string>> = {
    FORBIDDEN: t.t('error.forbidden'),
    RATE_LIMITED: t.t('error.rateLimited', { s: Math.ceil((b.retryAfterMs ?? 1000) / 1000) }),
    NOT_FOUND: t.t('error.notFound'),
    CSRF_REJECTED: t.t('error.csrf'),
    AUTH_REQUIRED: t.t('error.signedOut'),
  };
  const head = known[b.code];
  const issues = b.issues?.length ? b.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(' · ') : '';
  if (head) return head;
  if (b.code === 'VALIDATION_FAILED') return issues ? `${t.t('error.invalid')} ${issues}` : b.message;
  return issues ? `${b.message} ${issues}` : b.message;
}

export function ErrorMsg({ id, text }: { id?: string; text: string | null }) {
  if (!text) return null;
  return (
    <p class="adm-error" id={id} role="alert">
      <Icon name="alert" size={14} /> <span>{text}</span>
    </p>
  );
}

export function Card({ title, desc, children, id, actions }: { title: string; desc?: ComponentChildren; children: ComponentChildren; id?: string; actions?: ComponentChildren }) {
  const hid = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-h`;
  return (
    <section class="adm-card" aria-labelledby={hid}>
      <header class="adm-card-head">
        <div>
          <h3 id={hid}>{title}</h3>
          {desc && <p class="muted small">{desc}</p>}
        </div>
        {actions && <div class="adm-card-actions">{actions}</div>}
      </header>
      <div class="adm-card-body">{children}</div>
    </section>
  );
}

export function CopyButton({ t, value, label }: { t: AdminText; value: string; label: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission (an insecure origin, a locked-down browser): select the text for Ctrl+C instead.
      const el = document.querySelector<HTMLInputElement>(`[data-copy="${CSS.escape(value)}"]`);
      el?.select();
    }
    setDone(true);
    setTimeout(() => setDone(false), 2000);
  };
  return (
    <button class="btn" type="button" onClick={() => void copy()} aria-label={label}>
      <Icon name={done ? 'check' : 'copy'} size={14} /> <span aria-live="polite">{done ? t.t('copied') : t.t('copy')}</span>
    </button>
  );
}

/** A read-only value with its copy button (invite links, the new secret, the site key). */
export function CopyField({ t, value, label, secret }: { t: AdminText; value: string; label: string; secret?: boolean }) {
  return (
    <div class={`copy-field${secret ? ' secret' : ''}`}>
      <label class="sr-only" for={`cf-${label}`}>
        {label}
      </label>
      <input id={`cf-${label}`} class="mono" readOnly value={value} data-copy={value} onFocus={(e) => e.currentTarget.select()} spellcheck={false} />
      <CopyButton t={t} value={value} label={`${t.t('copy')}: ${label}`} />
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div class="adm-loading" role="status">
      <span class="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export { AdminIcon };

// ---- a Markdown preview: text only (never HTML), the few constructs articles use -----------------------------

function inline(text: string): (string | VNode)[] {
  const out: (string | VNode)[] = [];
  const re = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|`([^`]+)`/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<strong>{m[1]}</strong>);
    else if (m[2] !== undefined) out.push(<span class="md-link" title={m[3]}>{m[2]}</span>);
    else out.push(<code>{m[4]}</code>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ text }: { text: string }) {
  const blocks = text.replace(/\r\n/g, '\n').split(/\n{2,}/).map((b) => b.trim()).filter(Boolean);
  return (
    <div class="md">
      {blocks.map((b, i) => {
        const h = /^(#{1,4})\s+(.*)$/.exec(b);
        if (h) return <h4 key={i}>{inline(h[2]!)}</h4>;
        const lines = b.split('\n');
        if (lines.every((l) => /^\s*[-*]\s+/.test(l))) return <ul key={i}>{lines.map((l, j) => <li key={j}>{inline(l.replace(/^\s*[-*]\s+/, ''))}</li>)}</ul>;
        if (lines.every((l) => /^\s*\d+\.\s+/.test(l))) return <ol key={i}>{lines.map((l, j) => <li key={j}>{inline(l.replace(/^\s*\d+\.\s+/, ''))}</li>)}</ol>;
        return <p key={i}>{lines.flatMap((l, j) => (j ? [<br key={`b${j}`} />, ...inline(l)] : inline(l)))}</p>;
      })}
    </div>
  );
}
