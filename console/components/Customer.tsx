// The customer sidebar (GET /api/v1/contacts/:id, in the console's language): who they are, their other
// conversations, and their payments — failed and pending pinned on top by the server, exact amounts (decimal
// strings as the server sent them), the reason in plain words, the transaction hash, the time, the receipt,
// and "insert into reply" (with the customer's own receipt link, safe to send).
import type { SidebarPaymentDto } from '../../protocol/console.ts';
import type { Controller } from '../controller.ts';
import type { AppState } from '../store.ts';
import { Avatar, Icon } from './icons.tsx';
import { contactName } from './List.tsx';

/** "249.900000" → "249.9": the same exact value without the database's trailing zeros (never a float). */
export const trimAmount = (a: string) => (a.includes('.') ? a.replace(/\.?0+$/, '') : a);

export function Customer({ s, c }: { s: AppState; c: Controller }) {
  const t = s.thread;
  const row = t ? s.inbox.rows.get(t.conversationId) : undefined;
  if (!t || !row) return <aside class="pane side-pane" aria-label={s.i18n.t('sidebar.customer')} />;
  const i18n = s.i18n;
  const side = s.sidebar?.conversationId === row.id ? s.sidebar : null;
  const data = side?.data ?? null;
  const name = contactName(s, row.contact);
  const identified = data ? data.contact.identified : !!row.contact.externalId;
  const email = data?.contact.email ?? row.contact.email;
  const externalId = data?.contact.externalId ?? row.contact.externalId;
  const others = (data?.conversations ?? []).filter((x) => x.id !== row.id);
  const insert = (p: SidebarPaymentDto) => {
    const status = i18n.t(`payment.${p.status}`).toLowerCase();
    let text = i18n.t('payment.insert', { reference: p.reference, amount: trimAmount(p.amount), token: p.token, status, time: i18n.dateTime(p.occurredAt) });
    if (p.failure) text += i18n.t('payment.insertReason', { reason: p.failure.reason });
    if (p.txHash) text += i18n.t('payment.insertTx', { tx: p.txHash });
    if (p.receipt) text += i18n.t('payment.insertReceipt', { url: p.receipt.customerUrl });
    const key = row.id;
    const d = c.drafts?.get(key);
    const next = d?.text ? `${d.text.trimEnd()} ${text}` : text;
    c.drafts?.set(key, { text: next, mode: 'reply', sinceSeq: d?.sinceSeq ?? row.lastSeq, updatedAt: Date.now() });
    // The composer reads the draft when its conversation changes or focus is asked: ask.
    c.store.set({ composerMode: 'reply', composerFocus: s.composerFocus + 1 });
    const ta = document.querySelector<HTMLTextAreaElement>('.composer textarea');
    if (ta) {
      ta.value = next;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
      ta.focus();
    }
  };
  return (
    <aside class="pane side-pane" aria-label={i18n.t('sidebar.customer')} aria-busy={!data && !side?.error}>
      <section class="card who-card">
        <Avatar id={row.contact.id} name={name} size={44} />
        <div>
          <h3>{name}</h3>
          {email && <div class="muted small">{email}</div>}
          <span class={`tag ${identified ? 'tag-ok' : 'tag-muted'}`}>{identified ? i18n.t('sidebar.identified') : i18n.t('sidebar.anonymous')}</span>
        </div>
      </section>
      {side?.error && (
        <div class="form-error side-section" role="alert">
          {i18n.t('sidebar.loadFailed', { error: side.error })}{' '}
          <button class="link-btn small" type="button" onClick={() => void c.loadSidebar(row)}>
            {i18n.t('sidebar.retry')}
          </button>
        </div>
      )}
      <dl class="facts">
        {externalId && (
          <>
            <dt>{i18n.t('sidebar.externalId')}</dt>
            <dd>
              <code>{externalId}</code>
            </dd>
          </>
        )}
        <dt>{i18n.t('sidebar.firstSeen')}</dt>
        <dd>{i18n.dateTime(data?.contact.firstSeenAt ?? row.createdAt)}</dd>
        {data?.contact.lastSeenAt && (
          <>
            <dt>{i18n.t('sidebar.lastSeen')}</dt>
            <dd>{i18n.ago(data.contact.lastSeenAt)}</dd>
          </>
        )}
      </dl>

      <section class="side-section" aria-labelledby="pay-h">
        <h3 id="pay-h">{i18n.t('sidebar.payments')}</h3>
        {!identified ? (
          <p class="muted small">{i18n.t('sidebar.paymentsAnonymous')}</p>
        ) : !data ? (
          !side?.error && <div class="row skeleton small-skel" />
        ) : data.payments.length === 0 ? (
          <p class="muted small">{i18n.t('sidebar.noPayments')}</p>
        ) : (
          <>
            <ul class="payments">
              {data.payments.map((p) => (
                <Payment key={p.id} s={s} p={p} onInsert={() => insert(p)} />
              ))}
            </ul>
            {data.morePayments && <p class="muted small">{i18n.t('sidebar.morePayments')}</p>}
          </>
        )}
      </section>

      <section class="side-section" aria-labelledby="conv-h">
        <h3 id="conv-h">{i18n.t('sidebar.conversations')}</h3>
        {data && others.length === 0 && <p class="muted small">{i18n.t('sidebar.noConversations')}</p>}
        <ul class="prev-convs">
          {others.map((x) => (
            <li key={x.id}>
              <a
                href={`/support/c/${x.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  void c.open(x.id);
                }}
              >
                <span class={`dot st-${x.status}`} aria-hidden="true" />
                <span class="prev-text">{x.preview?.text ?? i18n.t('list.noPreview')}</span>
                <span class="muted small">{i18n.ago(x.lastMessageAt ?? x.createdAt)}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

function Payment({ s, p, onInsert }: { s: AppState; p: SidebarPaymentDto; onInsert: () => void }) {
  const i18n = s.i18n;
  const out = p.direction === 'out';
  const other = out ? (p.payeeName ?? p.payee) : (p.payerName ?? p.payer);
  return (
    <li class={`payment st-${p.status}`}>
      <div class="pay-top">
        <span class="pay-amount" title={`${p.amount} ${p.token}`}>
          {out ? '−' : '+'}
          {trimAmount(p.amount)} {p.token}
        </span>
        <span class={`pill st-${p.status}`}>{i18n.t(`payment.${p.status}`)}</span>
      </div>
      <div class="muted small">
        {i18n.t(out ? 'sidebar.to' : 'sidebar.from', { name: other })} · <time dateTime={p.occurredAt}>{i18n.dateTime(p.occurredAt)}</time>
      </div>
      {p.failure && (
        <div class="pay-reason">
          <strong>{i18n.t('sidebar.reason')}:</strong> {p.failure.reason}
          <div class="muted small">
            {p.failure.message} <code>{p.failure.code}</code>
          </div>
        </div>
      )}
      <div class="muted small mono">{p.reference}</div>
      {p.txHash && (
        <div class="tx small">
          <span class="muted">{i18n.t('sidebar.tx')}</span> <code title={p.txHash}>{p.txHash.length > 20 ? `${p.txHash.slice(0, 10)}…${p.txHash.slice(-6)}` : p.txHash}</code>
          <button class="link-btn" type="button" onClick={() => void navigator.clipboard?.writeText(p.txHash!)} aria-label={`${i18n.t('sidebar.copy')} ${i18n.t('sidebar.tx')}`}>
            <Icon name="copy" size={12} />
          </button>
        </div>
      )}
      <div class="pay-actions">
        {p.receipt && (
          <a class="link small" href={p.receipt.url} target="_blank" rel="noopener noreferrer">
            <Icon name="receipt" size={13} /> {i18n.t('sidebar.receipt', { n: p.receipt.number })}
          </a>
        )}
        <button class="link-btn small" type="button" onClick={onInsert}>
          {i18n.t('sidebar.insert')}
        </button>
      </div>
    </li>
  );
}
