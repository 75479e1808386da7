// Request authentication shared by route modules: an agent signs in with a bearer token (API clients) or
// with the console's session cookie. Cookie-authenticated state-changing requests must also carry the CSRF
// header and come from this server's own origin (SameSite=Strict is the third layer): a page elsewhere can
// make a browser send the cookie, but not that header, and not our Origin.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SECURE_SESSION_COOKIE, SESSION_COOKIE } from '../../protocol/console.ts';
import { AppError } from '../errors.ts';
import type { ProxyRule } from '../proxy.ts';
import type { Services } from '../services/index.ts';
import type { AgentSessionInfo } from '../services/auth/agents.service.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/** The console cookie's token, whichever of its two names the browser sent. */
export function cookieToken(cookies: Record<string, string | undefined> | undefined): string | undefined {
  return cookies?.[SECURE_SESSION_COOKIE] ?? cookies?.[SESSION_COOKIE];
}

export interface AgentAuth extends AgentSessionInfo {
  /** The token that authenticated the request. */
  token: string;
  via: 'bearer' | 'cookie';
}

export async function requireAgent(services: Services, request: FastifyRequest): Promise<AgentAuth> {
  const bearer = bearerToken(request);
  if (bearer) return { ...(await services.agents.authenticate(bearer)), token: bearer, via: 'bearer' };
  const cookie = cookieToken(request.cookies);
  if (!cookie) return { ...(await services.agents.authenticate(undefined)), token: '', via: 'bearer' };
  if (!SAFE_METHODS.has(request.method)) assertSameOriginChange(services, request);
  return { ...(await services.agents.authenticate(cookie)), token: cookie, via: 'cookie' };
}

/** CSRF: the custom header (no cross-site form or simple request can set it) and our own Origin. */
export function assertSameOriginChange(services: Services, request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER.toLowerCase()];
  if (header !== '1') throw new AppError('CSRF_REJECTED', `Send the ${CSRF_HEADER}: 1 header with cookie-authenticated changes.`);
  if (request.headers.origin !== services.publicOrigin()) throw new AppError('CSRF_REJECTED', 'This change must come from the console’s own origin.');
}

/** Sets the console cookie: HttpOnly, SameSite=Strict, Path=/, Secure (and `__Host-`) when the request is HTTPS. */
export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, proxy: ProxyRule, token: string, expiresAt: Date): void {
  const secure = proxy.protocol(request.raw) === 'https';
  void reply.setCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookies(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
  void reply.clearCookie(SECURE_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: true });
}
