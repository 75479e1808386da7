// The console's one REST client: same-origin, the session cookie (HttpOnly, never readable here), and the
// CSRF header on every state-changing request. Errors carry the server's coded body.
import type { ErrorBody } from '../protocol/errors.ts';

export const CSRF_HEADER = 'X-VeryChat-CSRF';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
  get code() {
    return this.body.code;
  }
}

type Query = Record<string, string | number | undefined | null>;

const qs = (query?: Query) => {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** Called on 401 from any request: the session ended (logout elsewhere, revoked): back to sign-in. */
let onSignedOut: (() => void) | null = null;
export const setSignedOutHandler = (fn: (() => void) | null) => (onSignedOut = fn);

export async function request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${path}${qs(opts.query)}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    signal: opts.signal ?? null,
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const body = (data as { error?: ErrorBody } | null)?.error ?? { code: 'INTERNAL' as const, message: `HTTP ${res.status}` };
    if (res.status === 401 && !path.startsWith('/agent/login')) onSignedOut?.();
    throw new ApiError(res.status, body);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { ...(query && { query }), ...(signal && { signal }) }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body: body ?? {} }),
};

/** A route the server does not have yet (404 NOT_FOUND from the router): the console falls back or hides it. */
export const isMissingRoute = (e: unknown) => e instanceof ApiError && e.status === 404 && e.body.code === 'NOT_FOUND';
