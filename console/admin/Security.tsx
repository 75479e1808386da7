// The site key (public) and the workspace secret: rotation shows the new secret once (copy it now), the old
// one keeps working until the grace period ends (or "end rotation now"). The current secret is never shown.
import { useState } from 'preact/hooks';
import type { RotateSecretResponse, WorkspaceSettingsDto } from '../../protocol/console.ts';
import { api } from '../api.ts';
import { useWorkspace } from './Widget.tsx';
import { AdminIcon, Card, CopyField, ErrorMsg, errorText, Spinner, type Ctx } from './ui.tsx';

const GRACE_HOURS = [0, 1, 24, 72, 168];

export function Security({ ctx }: { ctx: Ctx }) {
  const { t } = ctx.t;
  const { ws, setWs, error: loadError } = useWorkspace(ctx);
  const [grace, setGrace] = useState(24);
  const [confirm, setConfirm] = useState<'rotate' | 'end' | null>(null);
  const [fresh, setFresh] = useState<RotateSecretResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  if (!ws) return loadError ? <ErrorMsg text={loadError} /> : <Spinner label={t('loading')} />;

  const rotate = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<RotateSecretResponse>('/workspace/secret/rotate', { graceHours: grace });
      setFresh(r);
      setConfirm(null);
      setWs({ ...ws, previousSecretExpiresAt: r.previousSecretExpiresAt });
      setStatus(null);
    } catch (e) {
      setError(errorText(ctx.t, e));
    } finally {
      setBusy(false);
    }
  };
  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      setWs(await api.post<WorkspaceSettingsDto>('/workspace/secret/end-rotation'));
      setConfirm(null);
      setStatus(t('sec.ended'));
    } catch (e) {
      setError(errorText(ctx.t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Card title={t('sec.siteKey')} desc={t('sec.siteKeyDesc')} id="site-key">
        <CopyField t={ctx.t} value={ws.siteKey} label={t('sec.siteKey')} />
      </Card>
      <Card title={t('sec.secret')} desc={t('sec.secretDesc')} id="secret">
        {fresh && (
          <div class="secret-box" role="region" aria-label={t('sec.newSecret')}>
            <p class="secret-title">
              <AdminIcon name="key" /> <strong>{t('sec.newSecret')}</strong>
            </p>
            <p class="small">{t('sec.onlyOnce')}</p>
            <CopyField t={ctx.t} value={fresh.secret} label={t('sec.newSecret')} secret />
            <p class="small muted">{fresh.previousSecretExpiresAt ? t('sec.graceUntil', { when: ctx.t.dateTime(fresh.previousSecretExpiresAt) }) : t('sec.noGrace')}</p>
            <div class="adm-actions">
              <button class="btn primary" type="button" onClick={() => setFresh(null)}>
                {t('sec.stored')}
              </button>
            </div>
          </div>
        )}
        {!fresh && (
          <div class="adm-rows plain">
            <p class="secret-mask">
              <AdminIcon name="key" /> <code>sk_••••••••••••••••••••</code> <span class="muted small">{t('sec.hidden')}</span>
            </p>
          </div>
        )}
        {ws.previousSecretExpiresAt && (
          <div class="adm-warn">
            <p class="small">
              <strong>{t('sec.rotating')}</strong> {t('sec.graceUntil', { when: ctx.t.dateTime(ws.previousSecretExpiresAt) })}
            </p>
            {confirm === 'end' ? (
              <span class="confirm" role="group" aria-label={t('sec.endConfirm')}>
                <span class="small">{t('sec.endConfirm')}</span>
                <button class="btn danger small" type="button" disabled={busy} onClick={() => void end()}>
                  {t('sec.endYes')}
                </button>
                <button class="btn small" type="button" onClick={() => setConfirm(null)}>
                  {t('cancel')}
                </button>
              </span>
            ) : (
              <button class="btn small" type="button" onClick={() => setConfirm('end')}>
                {t('sec.end')}
              </button>
            )}
          </div>
        )}
        <div class="adm-inline-form">
          <label class="field">
            <span>{t('sec.grace')}</span>
            <select value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))} aria-describedby="grace-hint">
              {GRACE_HOURS.map((h) => (
                <option key={h} value={h}>
                  {h === 0 ? t('sec.graceNone') : h < 24 ? ctx.t.plural('sec.hours', h) : ctx.t.plural('sec.days', h / 24)}
                </option>
              ))}
            </select>
          </label>
          {confirm === 'rotate' ? (
            <span class="confirm" role="group" aria-label={t('sec.rotateConfirm')}>
              <span class="small">{t('sec.rotateConfirm')}</span>
              <button class="btn danger" type="button" disabled={busy} onClick={() => void rotate()}>
                {t('sec.rotateYes')}
              </button>
              <button class="btn" type="button" onClick={() => setConfirm(null)}>
                {t('cancel')}
              </button>
            </span>
          ) : (
            <button class="btn" type="button" onClick={() => setConfirm('rotate')}>
              <AdminIcon name="restore" size={14} /> {t('sec.rotate')}
            </button>
          )}
        </div>
        <small id="grace-hint" class="muted small">
          {t('sec.graceHint')}
        </small>
        <ErrorMsg text={error} />
        <p class="adm-saved" role="status">
          {status}
        </p>
      </Card>
    </>
  );
}
