// The team: invite an agent or admin (a single-use link to send them, shown once), and the workspace's
// canned replies (what agents insert with / in the composer).
import { useEffect, useState } from 'preact/hooks';
import type { CannedRepliesResponse, CannedReplyDto, InviteResponse } from '../../protocol/console.ts';
import { api, request } from '../api.ts';
import { AdminIcon, Card, CopyField, ErrorMsg, errorText, Spinner, type Ctx } from './ui.tsx';

export function Team({ ctx }: { ctx: Ctx }) {
  return (
    <>
      <Invite ctx={ctx} />
      <Canned ctx={ctx} />
    </>
  );
}

function Invite({ ctx }: { ctx: Ctx }) {
  const { t } = ctx.t;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'agent' | 'admin'>('agent');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [links, setLinks] = useState<InviteResponse[]>([]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return setError(t('team.emailInvalid'));
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<InviteResponse>('/agent/invites', { email: v, role });
      setLinks((xs) => [r, ...xs]);
      setEmail('');
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('team.invite')} desc={t('team.inviteDesc')} id="invite">
      <form class="adm-inline-form" onSubmit={submit} noValidate>
        <label class="field grow">
          <span>{t('team.email')}</span>
          <input type="email" autoComplete="off" value={email} placeholder="name@company.com" aria-invalid={!!error || undefined} aria-describedby={error ? 'invite-error' : undefined} onInput={(e) => (setEmail(e.currentTarget.value), setError(null))} />
        </label>
        <label class="field">
          <span>{t('team.role')}</span>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as 'agent' | 'admin')} aria-describedby="role-hint">
            <option value="agent">{t('team.roleAgent')}</option>
            <option value="admin">{t('team.roleAdmin')}</option>
          </select>
        </label>
        <button class="btn primary" type="submit" disabled={busy || !email.trim()}>
          {busy ? t('saving') : t('team.create')}
        </button>
      </form>
      <small id="role-hint" class="muted small">
        {role === 'admin' ? t('team.roleAdminHint') : t('team.roleAgentHint')}
      </small>
      <ErrorMsg id="invite-error" text={error} />
      {links.map((l) => (
        <div class="invite-result" key={l.url} role="region" aria-label={t('team.linkFor', { email: l.email })}>
          <p class="small">
            <AdminIcon name="link" size={14} /> {t('team.linkFor', { email: l.email })} <span class="tag">{l.role === 'admin' ? t('team.roleAdmin') : t('team.roleAgent')}</span>
          </p>
          <CopyField t={ctx.t} value={l.url} label={t('team.linkFor', { email: l.email })} />
          <p class="muted small">{t('team.linkOnce', { when: ctx.t.dateTime(l.expiresAt) })}</p>
        </div>
      ))}
    </Card>
  );
}

type CannedDraft = { id: string | null; shortcut: string; title: string; text: string };
const EMPTY: CannedDraft = { id: null, shortcut: '', title: '', text: '' };

function Canned({ ctx }: { ctx: Ctx }) {
  const { t } = ctx.t;
  const [list, setList] = useState<CannedReplyDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<CannedDraft | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<CannedRepliesResponse>('/canned-replies')
      .then((r) => setList(r.cannedReplies))
      .catch((e) => setError(errorText(ctx.t, e)));
  }, []);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      const body = { shortcut: draft.shortcut.replace(/^\//, ''), title: draft.title, text: draft.text };
      const r = draft.id ? await api.put<CannedReplyDto>(`/canned-replies/${draft.id}`, body) : await api.post<CannedReplyDto>('/canned-replies', body);
      setList((xs) => [...(xs ?? []).filter((x) => x.id !== r.id), r].sort((a, b) => a.shortcut.localeCompare(b.shortcut)));
      setDraft(null);
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await request('DELETE', `/canned-replies/${id}`);
      setList((xs) => (xs ?? []).filter((x) => x.id !== id));
      setConfirm(null);
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      title={t('canned.title')}
      desc={t('canned.desc')}
      id="canned"
      actions={
        !draft && (
          <button class="btn" type="button" onClick={() => setDraft(EMPTY)}>
            <AdminIcon name="edit" size={14} /> {t('canned.new')}
          </button>
        )
      }
    >
      {!list && !error && <Spinner label={t('loading')} />}
      {draft && (
        <form class="adm-form canned-form" onSubmit={save} noValidate aria-label={draft.id ? t('canned.edit') : t('canned.new')}>
          <div class="adm-row">
            <label class="field">
              <span>{t('canned.shortcut')}</span>
              <input class="mono" required maxLength={41} value={draft.shortcut} placeholder="refund-status" autoFocus onInput={(e) => setDraft({ ...draft, shortcut: e.currentTarget.value })} />
            </label>
            <label class="field grow">
              <span>{t('canned.name')}</span>
              <input required maxLength={120} value={draft.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
            </label>
          </div>
          <label class="field">
            <span>{t('canned.text')}</span>
            <textarea rows={4} required maxLength={2000} value={draft.text} aria-describedby="canned-vars" onInput={(e) => setDraft({ ...draft, text: e.currentTarget.value })} />
            <small id="canned-vars">{t('canned.vars')}</small>
          </label>
          <div class="adm-actions">
            <button class="btn primary" type="submit" disabled={busy || !draft.shortcut.trim() || !draft.title.trim() || !draft.text.trim()}>
              {busy ? t('saving') : t('save')}
            </button>
            <button class="btn" type="button" onClick={() => setDraft(null)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorMsg text={error} />
      {list &&
        (list.length ? (
          <ul class="adm-rows canned-list" aria-label={t('canned.title')}>
            {list.map((r) => (
              <li key={r.id}>
                <code class="canned-sc">/{r.shortcut}</code>
                <span class="grow canned-main">
                  <strong>{r.title}</strong>
                  <span class="muted small canned-text">{r.text}</span>
                </span>
                {confirm === r.id ? (
                  <span class="confirm" role="group" aria-label={t('canned.confirm', { shortcut: r.shortcut })}>
                    <span class="small">{t('canned.confirm', { shortcut: r.shortcut })}</span>
                    <button class="btn danger small" type="button" disabled={busy} onClick={() => void remove(r.id)}>
                      {t('remove')}
                    </button>
                    <button class="btn small" type="button" onClick={() => setConfirm(null)}>
                      {t('cancel')}
                    </button>
                  </span>
                ) : (
                  <span class="row-btns">
                    <button class="icon-btn" type="button" aria-label={t('canned.editOne', { shortcut: r.shortcut })} title={t('canned.edit')} onClick={() => setDraft({ id: r.id, shortcut: r.shortcut, title: r.title, text: r.text })}>
                      <AdminIcon name="edit" size={15} />
                    </button>
                    <button class="icon-btn" type="button" aria-label={t('canned.removeOne', { shortcut: r.shortcut })} title={t('remove')} onClick={() => setConfirm(r.id)}>
                      <AdminIcon name="trash" size={15} />
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">{t('canned.none')}</p>
        ))}
    </Card>
  );
}
