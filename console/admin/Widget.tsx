// The widget's look for this workspace (name, colour, side, language, greeting, reply time, theme) with a live
// preview, and the origins allowed to load it. Changes reach storefronts on their next page view.
import { useEffect, useState } from 'preact/hooks';
import type { WorkspaceSettingsDto } from '../../protocol/console.ts';
import { api, request } from '../api.ts';
import { AdminIcon, Card, ErrorMsg, errorText, Spinner, type Ctx } from './ui.tsx';

/** Black or white text on the colour, whichever reaches the higher contrast (the widget's rule). */
function onColor(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? '#000' : '#fff';
}
const HEX = /^#[0-9a-fA-F]{6}$/;

/** GET /api/v1/workspace/settings, shared by the widget and security sections. */
export function useWorkspace(ctx: Ctx) {
  const [ws, setWs] = useState<WorkspaceSettingsDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<WorkspaceSettingsDto>('/workspace/settings')
      .then(setWs)
      .catch((e) => setError(errorText(ctx.t, e)));
  }, []);
  return { ws, setWs, error };
}

export function Widget({ ctx }: { ctx: Ctx }) {
  const { ws, setWs, error } = useWorkspace(ctx);
  if (!ws) return error ? <ErrorMsg text={error} /> : <Spinner label={ctx.t.t('loading')} />;
  return (
    <>
      <Look ctx={ctx} ws={ws} onSaved={setWs} />
      <Origins ctx={ctx} ws={ws} onChanged={setWs} />
    </>
  );
}

type LookDraft = { name: string; color: string; position: 'left' | 'right'; locale: string; greeting: string; replyTime: string; theme: 'auto' | 'light' | 'dark' };
const draftOf = (ws: WorkspaceSettingsDto): LookDraft => ({
  name: ws.name,
  color: ws.color,
  position: ws.position,
  locale: ws.locale,
  greeting: ws.greeting ?? '',
  replyTime: ws.replyTime ?? '',
  theme: ws.theme,
});

function Look({ ctx, ws, onSaved }: { ctx: Ctx; ws: WorkspaceSettingsDto; onSaved: (w: WorkspaceSettingsDto) => void }) {
  const { t } = ctx.t;
  const [d, setD] = useState<LookDraft>(() => draftOf(ws));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const base = draftOf(ws);
  const changed = (Object.keys(d) as (keyof LookDraft)[]).filter((k) => d[k] !== base[k]);
  const colorOk = HEX.test(d.color);
  const set = (p: Partial<LookDraft>) => (setD((x) => ({ ...x, ...p })), setSaved(false));
  const save = async (e: Event) => {
    e.preventDefault();
    if (!colorOk) return setError(t('widget.colorInvalid'));
    const body: Record<string, unknown> = {};
    for (const k of changed) body[k] = k === 'greeting' || k === 'replyTime' ? d[k].trim() || null : d[k];
    setBusy(true);
    setError(null);
    try {
      const next = await api.put<WorkspaceSettingsDto>('/workspace/settings', body);
      onSaved(next);
      setD(draftOf(next));
      setSaved(true);
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  const fg = colorOk ? onColor(d.color) : '#fff';
  const locales = ['en', 'es', 'ar'].includes(d.locale) ? ['en', 'es', 'ar'] : [d.locale, 'en', 'es', 'ar'];
  return (
    <Card title={t('widget.look')} desc={t('widget.lookDesc')} id="look">
      <form class="adm-split" onSubmit={save} noValidate>
        <div class="adm-form">
          <label class="field">
            <span>{t('widget.name')}</span>
            <input required maxLength={120} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          </label>
          <div class="adm-row">
            <div class="field">
              <label for="w-color">{t('widget.color')}</label>
              <div class="color-pick">
                <input type="color" value={colorOk ? d.color : '#000000'} onInput={(e) => set({ color: e.currentTarget.value })} aria-label={t('widget.colorPicker')} />
                <input
                  id="w-color"
                  class="mono"
                  value={d.color}
                  maxLength={7}
                  aria-invalid={!colorOk || undefined}
                  aria-describedby="w-color-hint"
                  onInput={(e) => set({ color: e.currentTarget.value.trim() })}
                />
              </div>
              <small id="w-color-hint" class={colorOk ? '' : 'bad'}>
                {colorOk ? t('widget.colorHint') : t('widget.colorInvalid')}
              </small>
            </div>
            <fieldset class="field">
              <legend>{t('widget.position')}</legend>
              <div class="seg">
                {(['left', 'right'] as const).map((p) => (
                  <label key={p} class={d.position === p ? 'on' : ''}>
                    <input type="radio" name="w-position" value={p} checked={d.position === p} onChange={() => set({ position: p })} />
                    {t(`widget.${p}`)}
                  </label>
                ))}
              </div>
            </fieldset>
          </div>
          <div class="adm-row">
            <label class="field grow">
              <span>{t('widget.locale')}</span>
              <select value={d.locale} onChange={(e) => set({ locale: e.currentTarget.value })}>
                {locales.map((l) => (
                  <option key={l} value={l}>
                    {l === 'en' ? 'English' : l === 'es' ? 'Español' : l === 'ar' ? 'العربية' : l}
                  </option>
                ))}
              </select>
            </label>
            <label class="field grow">
              <span>{t('widget.theme')}</span>
              <select value={d.theme} onChange={(e) => set({ theme: e.currentTarget.value as LookDraft['theme'] })}>
                <option value="auto">{t('widget.themeAuto')}</option>
                <option value="light">{t('widget.themeLight')}</option>
                <option value="dark">{t('widget.themeDark')}</option>
              </select>
            </label>
          </div>
          <label class="field">
            <span>{t('widget.greeting')}</span>
            <textarea rows={2} maxLength={280} value={d.greeting} placeholder={t('widget.greetingPlaceholder')} onInput={(e) => set({ greeting: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('widget.replyTime')}</span>
            <input maxLength={80} value={d.replyTime} placeholder={t('widget.replyTimePlaceholder')} aria-describedby="w-rt-hint" onInput={(e) => set({ replyTime: e.currentTarget.value })} />
            <small id="w-rt-hint">{t('widget.replyTimeHint')}</small>
          </label>
          <ErrorMsg text={error} />
          <div class="adm-actions">
            <button class="btn primary" type="submit" disabled={busy || !changed.length || !colorOk || !d.name.trim()}>
              {busy ? t('saving') : t('save')}
            </button>
            {changed.length > 0 && (
              <button class="btn" type="button" onClick={() => setD(base)}>
                {t('discard')}
              </button>
            )}
            <span class="adm-saved" role="status">
              {saved && (
                <>
                  <span class="ok-dot" aria-hidden="true" /> {t('widget.saved')}
                </>
              )}
            </span>
          </div>
        </div>
        <div class="w-preview" role="img" aria-label={t('widget.previewLabel', { side: t(`widget.${d.position}`), color: d.color })}>
          <div class="w-page">
            <div class="w-bar" />
            <div class="w-line" />
            <div class="w-line short" />
            <div class={`w-window ${d.position} ${d.theme === 'dark' ? 'dark' : ''}`}>
              <div class="w-head" style={{ background: colorOk ? d.color : undefined, color: fg }}>
                <strong>{d.name || ' '}</strong>
                <span>{d.replyTime || t('widget.replyTimePlaceholder')}</span>
              </div>
              <div class="w-body">
                <p class="w-bubble">{d.greeting || t('widget.greetingPlaceholder')}</p>
              </div>
            </div>
            <div class={`w-launcher ${d.position}`} style={{ background: colorOk ? d.color : undefined, color: fg }}>
              <svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                <path d="M4 5h16v11H9l-5 4z" />
              </svg>
            </div>
          </div>
          <p class="muted small center">{t('widget.preview')}</p>
        </div>
      </form>
    </Card>
  );
}

function Origins({ ctx, ws, onChanged }: { ctx: Ctx; ws: WorkspaceSettingsDto; onChanged: (w: WorkspaceSettingsDto) => void }) {
  const { t } = ctx.t;
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    // The same shape the server checks: a scheme and a host, nothing after. The server normalizes the rest.
    let ok = false;
    try {
      const u = new URL(v);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && !!u.host && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
    } catch {
      ok = false;
    }
    if (!ok) return setError(t('origins.invalid', { value: v || '…' }));
    setBusy(true);
    setError(null);
    try {
      const next = await api.post<WorkspaceSettingsDto>('/workspace/origins', { origin: v });
      onChanged(next);
      setValue('');
      setStatus(t('origins.added', { origin: next.allowedOrigins.find((o) => !ws.allowedOrigins.includes(o)) ?? v }));
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (origin: string) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await request<WorkspaceSettingsDto>('DELETE', '/workspace/origins', { body: { origin } }));
      setConfirm(null);
      setStatus(t('origins.removed', { origin }));
      document.getElementById('origin-input')?.focus();
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('origins.title')} desc={t('origins.desc')} id="origins">
      {ws.allowedOrigins.length ? (
        <ul class="adm-rows" aria-label={t('origins.title')}>
          {ws.allowedOrigins.map((o) => (
            <li key={o}>
              <AdminIcon name="globe" size={15} />
              <code class="grow">{o}</code>
              {confirm === o ? (
                <span class="confirm" role="group" aria-label={t('origins.confirm', { origin: o })}>
                  <span class="small">{t('origins.confirm', { origin: o })}</span>
                  <button class="btn danger small" type="button" disabled={busy} onClick={() => void remove(o)}>
                    {t('origins.removeYes')}
                  </button>
                  <button class="btn small" type="button" onClick={() => setConfirm(null)}>
                    {t('cancel')}
                  </button>
                </span>
              ) : (
                <button class="btn small" type="button" aria-label={t('origins.remove', { origin: o })} onClick={() => setConfirm(o)}>
                  <AdminIcon name="trash" size={13} /> {t('remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="adm-warn small">{t('origins.none')}</p>
      )}
      <form class="adm-inline-form" onSubmit={add} noValidate>
        <label class="field grow">
          <span>{t('origins.add')}</span>
          <input
            id="origin-input"
            class="mono"
            value={value}
            placeholder="https://shop.example.com"
            aria-invalid={!!error || undefined}
            aria-describedby={error ? 'origin-error origin-hint' : 'origin-hint'}
            onInput={(e) => (setValue(e.currentTarget.value), setError(null))}
          />
        </label>
        <button class="btn primary" type="submit" disabled={busy || !value.trim()}>
          {t('origins.addButton')}
        </button>
      </form>
      <small id="origin-hint" class="muted small">
        {t('origins.hint')}
      </small>
      <ErrorMsg id="origin-error" text={error} />
      <p class="adm-saved" role="status">
        {status}
      </p>
    </Card>
  );
}
