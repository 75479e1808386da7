// Workspaces (merchants): creation, lookup by public site key, origin policy, secret rotation.
import type { WidgetSettingsResponse } from '../../protocol/rest.ts';
import type { PrismaClient, Workspace } from '../db/generated/client.ts';
import { normalizeOrigin } from '../config.ts';
import { AppError } from '../errors.ts';
import { newSiteKey, newWorkspaceSecret, randomToken } from './auth/secrets.ts';

export type { Workspace };

export interface WorkspaceSettings {
  color: string;
  position: 'right' | 'left';
  locale: string;
  greeting: string | null;
  theme: 'auto' | 'light' | 'dark';
  /** Longest lifetime (exp - iat) accepted for merchant-signed identity tokens. */
  identityTokenMaxAgeSeconds: number;
  /** The workspace `npm start` creates: the demo pages may sign its customers in (never in production). */
  demo?: boolean;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  color: '#4f46e5',
  position: 'right',
  locale: 'en',
  greeting: null,
  theme: 'auto',
  identityTokenMaxAgeSeconds: 24 * 60 * 60,
};

export function workspaceSettings(ws: { settings: unknown }): WorkspaceSettings {
  const raw = ws.settings && typeof ws.settings === 'object' && !Array.isArray(ws.settings) ? ws.settings : {};
  return { ...DEFAULT_SETTINGS, ...(raw as Partial<WorkspaceSettings>) };
}

/** What visitors' browsers may know of a workspace: its name and look. */
export function widgetSettings(ws: { name: string; settings: unknown }): WidgetSettingsResponse {
  const s = workspaceSettings(ws);
  return { workspace: { name: ws.name }, settings: { color: s.color, position: s.position, locale: s.locale, greeting: s.greeting, theme: s.theme } };
}

/** Exact origin, or a `https://*.example.com` pattern that matches subdomains (not the apex). */
export function originMatches(allowed: string, origin: string): boolean {
  if (allowed === origin) return true;
  const m = /^(https?):\/\/\*\.(.+)$/.exec(allowed);
  if (!m) return false;
  try {
    const url = new URL(origin);
    return url.protocol === `${m[1]}:` && url.host.endsWith(`.${m[2]}`);
  } catch {
    return false;
  }
}

export function normalizeOriginPattern(value: string): string | null {
  const wildcard = /^(https?):\/\/\*\.([a-z0-9.-]+(?::\d+)?)\/?$/i.exec(value.trim());
  if (wildcard) return `${wildcard[1]!.toLowerCase()}://*.${wildcard[2]!.toLowerCase()}`;
  return normalizeOrigin(value.trim());
}

export interface NewWorkspace {
  name: string;
  allowedOrigins?: string[];
  settings?: Partial<WorkspaceSettings>;
}

export interface WorkspaceServiceOptions {
  /** How long a site-key lookup is cached; handshakes are hot, workspace edits are rare. */
  cacheTtlMs?: number;
  now?: () => number;
}

export class WorkspaceService {
  private readonly cache = new Map<string, { ws: Workspace | null; at: number }>();
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly prisma: PrismaClient,
    opts: WorkspaceServiceOptions = {},
  ) {
    this.ttl = opts.cacheTtlMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  create(input: NewWorkspace) {
    return this.prisma.workspace.create({ data: this.newWorkspaceData(input) });
  }

  /** A validated row with fresh keys, for callers that write it inside their own transaction. */
  newWorkspaceData(input: NewWorkspace) {
    const name = input.name.trim();
    if (!name || name.length > 120) throw new AppError('VALIDATION_FAILED', 'Workspace name must be 1–120 characters.');
    return {
      name,
      siteKey: newSiteKey(),
      secret: newWorkspaceSecret(),
      visitorKey: randomToken(32),
      allowedOrigins: this.normalizeOrigins(input.allowedOrigins ?? []),
      settings: { ...DEFAULT_SETTINGS, ...input.settings },
    };
  }

  list() {
    return this.prisma.workspace.findMany({ orderBy: { createdAt: 'asc' } });
  }

  /** The workspace a public site key names, or SITE_KEY_UNKNOWN. */
  async resolveSiteKey(siteKey: string): Promise<Workspace> {
    const hit = this.cache.get(siteKey);
    let ws: Workspace | null;
    if (hit && this.now() - hit.at < this.ttl) {
      ws = hit.ws;
    } else {
      ws = siteKey.length <= 128 ? await this.prisma.workspace.findUnique({ where: { siteKey } }) : null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(siteKey, { ws, at: this.now() });
    }
    if (!ws) throw new AppError('SITE_KEY_UNKNOWN');
    return ws;
  }

  /** Throws ORIGIN_NOT_ALLOWED unless the browser Origin is one the workspace allows. */
  assertOrigin(ws: Pick<Workspace, 'allowedOrigins'>, origin: string | undefined | null): void {
    const normalized = origin ? normalizeOrigin(origin) : null;
    if (!normalized || !ws.allowedOrigins.some((allowed) => originMatches(allowed, normalized))) {
      throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${origin ?? '(none)'} is not allowed for this workspace.`);
    }
  }

  /** Resolve by site key and check the Origin in one step (widget handshakes and REST calls). */
  async authorizeOrigin(siteKey: string, origin: string | undefined | null): Promise<Workspace> {
    const ws = await this.resolveSiteKey(siteKey);
    this.assertOrigin(ws, origin);
    return ws;
  }

  /** Whether any workspace allows this origin: decides CORS before a route knows its workspace. */
  async isOriginKnown(origin: string): Promise<boolean> {
    const key = `origin:${origin}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttl) return hit.ws !== null;
    const normalized = normalizeOrigin(origin);
    let found: Workspace | null = null;
    if (normalized) {
      const host = new URL(normalized).host;
      const candidates = await this.prisma.workspace.findMany({
        where: { allowedOrigins: { hasSome: [normalized, ...wildcardsFor(normalized, host)] } },
        take: 1,
      });
      found = candidates[0] ?? null;
    }
    this.cache.set(key, { ws: found, at: this.now() });
    return found !== null;
  }

  async rotateSecret(siteKey: string) {
    const ws = await this.resolveSiteKey(siteKey);
    this.cache.delete(siteKey);
    return this.prisma.workspace.update({ where: { id: ws.id }, data: { secret: newWorkspaceSecret() } });
  }

  async addOrigin(siteKey: string, origin: string) {
    const [normalized] = this.normalizeOrigins([origin]);
    const ws = await this.resolveSiteKey(siteKey);
    this.cache.clear();
    if (ws.allowedOrigins.includes(normalized!)) return ws;
    return this.prisma.workspace.update({
      where: { id: ws.id },
      data: { allowedOrigins: [...ws.allowedOrigins, normalized!] },
    });
  }

  async removeOrigin(siteKey: string, origin: string) {
    const normalized = normalizeOriginPattern(origin) ?? origin;
    const ws = await this.resolveSiteKey(siteKey);
    this.cache.clear();
    if (!ws.allowedOrigins.includes(normalized)) {
      throw new AppError('NOT_FOUND', `${origin} is not an allowed origin of this workspace.`);
    }
    return this.prisma.workspace.update({
      where: { id: ws.id },
      data: { allowedOrigins: ws.allowedOrigins.filter((o) => o !== normalized) },
    });
  }

  private normalizeOrigins(origins: string[]): string[] {
    return [
      ...new Set(
        origins.map((o) => {
          const n = normalizeOriginPattern(o);
          if (!n) throw new AppError('VALIDATION_FAILED', `"${o}" is not an origin like https://shop.example.`);
          return n;
        }),
      ),
    ];
  }
}

/** `https://*.a.b` patterns that would match a host such as x.a.b. */
function wildcardsFor(origin: string, host: string): string[] {
  const scheme = origin.slice(0, origin.indexOf('://'));
  const parts = host.split('.');
  const out: string[] = [];
  for (let i = 1; i < parts.length - 1; i++) out.push(`${scheme}://*.${parts.slice(i).join('.')}`);
  return out;
}
