// The sign-in page (email + password; a choice of workspace when they are valid in several) and the invitation page.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { Controller } from '../controller.ts';
import type { I18n } from '../i18n/index.ts';

function errorText(i18n: I18n, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'AUTH_INVALID' || e.code === 'SITE_KEY_UNKNOWN' || e.code === 'VALIDATION_FAILED') return i18n.t('signin.failed');
    if (e.code === 'RATE_LIMITED') return i18n.t('signin.limited');
    return i18n.t('signin.error', { message: e.message });
  }
  return String((e as Error)?.message ?? e);
}

function Brand() {
  return (
    <div class="brand">
      <span class="brand-mark" aria-hidden="true">
        V
      </span>
      <span>VeryChat</span>
    </div>
  );
}

export function SignIn({ c, i18n }: { c: Controller; i18n: I18n }) {
  // A workspace named by the link (?w=pk_…) is used as is; otherwise the email and password pick it, and
  // the server asks only when they are valid in several workspaces.
  const [siteKey, setSiteKey] = useState(c.siteKeyHint());
  const [choices, setChoices] = useState<{ name: string; siteKey: string }[] | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await c.signIn(siteKey || undefined, email.trim(), password);
    } catch (err) {
      const several = err instanceof ApiError && err.code === 'WORKSPACE_REQUIRED' ? (err.body.workspaces ?? []) : null;
      if (several?.length) {
        setChoices(several);
        setSiteKey(several[0]!.siteKey);
      } else setError(errorText(i18n, err));
      setBusy(false);
    }
  };
  return (
    <main class="auth">
      <form class="auth-card" onSubmit={submit} aria-labelledby="signin-title">
        <Brand />
        <h1 id="signin-title">{i18n.t('signin.title')}</h1>
        <label class="field">
          <span>{i18n.t('signin.email')}</span>
          <input
            name="email"
            type="email"
            value={email}
            onInput={(e) => {
              setEmail(e.currentTarget.value);
              if (choices) (setChoices(null), setSiteKey(c.siteKeyHint()));
            }}
            required
            autoComplete="username"
            autoFocus
          />
        </label>
        <label class="field">
          <span>{i18n.t('signin.password')}</span>
          <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required autoComplete="current-password" />
        </label>
        {choices && (
          <fieldset class="field workspaces">
            <legend>{i18n.t('signin.chooseWorkspace')}</legend>
            {choices.map((w) => (
              <label key={w.siteKey} class="radio">
                <input type="radio" name="workspace" value={w.siteKey} checked={siteKey === w.siteKey} onChange={() => setSiteKey(w.siteKey)} />
                <span>{w.name}</span>
              </label>
            ))}
          </fieldset>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? i18n.t('signin.busy') : i18n.t('signin.submit')}
        </button>
      </form>
    </main>
  );
}

export function AcceptInvite({ c, i18n, token }: { c: Controller; i18n: I18n; token: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await c.acceptInvite(token, name.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError && (err.code === 'NOT_FOUND' || err.code === 'AUTH_INVALID' || err.code === 'AUTH_EXPIRED') ? i18n.t('invite.invalid') : errorText(i18n, err));
      setBusy(false);
    }
  };
  return (
    <main class="auth">
      <form class="auth-card" onSubmit={submit} aria-labelledby="invite-title">
        <Brand />
        <h1 id="invite-title">{i18n.t('invite.title')}</h1>
        <label class="field">
          <span>{i18n.t('invite.name')}</span>
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} autoComplete="name" autoFocus />
        </label>
        <label class="field">
          <span>{i18n.t('invite.password')}</span>
          <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={10} autoComplete="new-password" />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn primary wide" type="submit" disabled={busy}>
          {i18n.t('invite.submit')}
        </button>
      </form>
    </main>
  );
}
