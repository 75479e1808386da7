// Workspaces (merchants): creation, look-up by public site key, origin policy, secret rotation with a grace
// period, renaming, settings, deletion. Every change is announced on the invalidation bus.
import type { WidgetSettingsResponse } from '../../protocol/rest.ts';
import type { PrismaClient, Workspace } from '../db/generated/client.ts';
import { normalizeOrigin } from '../config.ts';
import { z } from 'zod';
import { AppError, parseInput } from '../errors.ts';
import { newSiteKey, newWorkspaceSecret, randomToken } from './auth/secrets.ts';
import { boundedCache, type BoundedCache } from './cache.ts';
import { LocalInvalidationBus, type InvalidationBus } from './invalidation.ts';

export type { Workspace };

export interface WorkspaceSettings {
  color: string;
  position: 'right' | 'left';
  locale: string;
  greeting: string | null;
  /** How soon the merchant usually answers, in their words ("Usually replies within an hour"); null: not shown. */
  replyTime: string | null;
  theme: 'auto' | 'light' | 'dark';
  /** Longest lifetime (exp - iat) accepted for merchant-signed identity tokens. */
  identityTokenMaxAgeSeconds: number;
  /** The workspace `npm start` creates: the demo pages may sign its customers in (never in production). */
  demo?: boolean;
  /** The demo's origins on the local network that start-up added (bootstrap.ts keeps them current). */
  lanOrigins?: string[];
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  color: '#4f46e5',
  position: 'right',
  locale: 'en',
  greeting: null,
  replyTime: null,
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
  const settings = { color: s.color, position: s.position, locale: s.locale, greeting: s.greeting, theme: s.theme };
  return { workspace: { name: ws.name }, settings: s.replyTime ? { ...settings, replyTime: s.replyTime } : settings };
}

/** A workspace's signing secrets; rows from before rotation existed, and test fixtures, may lack the previous one. */
export interface SigningSecrets {
  secret: string;
  previousSecret?: string | null;
  previousSecretExpiresAt?: Date | null;
}

/**
 * The secrets identity tokens and payment signatures may be made with at `nowMs`: the current one, and the
 * previous one until its grace period ends.
 */
export function acceptedSecrets(ws: SigningSecrets, nowMs: number): string[] {
  const previousValid = ws.previousSecret && ws.previousSecretExpiresAt && ws.previousSecretExpiresAt.getTime() > nowMs;
  return previousValid ? [ws.secret, ws.previousSecret!] : [ws.secret];
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
  /** How long a look-up is cached at most; changes made through the service are forgotten at once (bus). */
  cacheTtlMs?: number;
  /** Most site keys, and most origins, cached. */
  cacheMax?: number;
  now?: () => number;
  /** Carries "this workspace changed" to every instance; local-only by default. */
  invalidation?: InvalidationBus;
  /** How long the previous secret stays valid after a rotation, unless a rotation says otherwise. */
  secretGraceMs?: number;
}

/** Longest origin worth a look-up: scheme, a 253-character host name and a port. */
const MAX_ORIGIN_LENGTH = 300;
export const DEFAULT_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/** What a merchant may change in a workspace's settings (all optional: a patch). */
export const SettingsPatch = z
  .object({
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #4f46e5').optional(),
    position: z.enum(['right', 'left']).optional(),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'a language tag like en or pt-BR').optional(),
    greeting: z.string().trim().min(1).max(280).nullable().optional(),
    replyTime: z.string().trim().min(1).max(80).nullable().optional(),
    theme: z.enum(['auto', 'light', 'dark']).optional(),
    identityTokenMaxAgeSeconds: z.number().int().min(60).max(7 * 24 * 60 * 60).optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export class WorkspaceService {
  /** Site key → workspace (or its absence); origin → whether some workspace allows it. */
  private readonly bySiteKey: BoundedCache<{ ws: Workspace | null }>;
  private readonly knownOrigins: BoundedCache<{ known: boolean }>;
  private readonly now: () => number;
  private readonly invalidation: InvalidationBus;
  private readonly secretGraceMs: number;

  constructor(
    private readonly prisma: PrismaClient,
    opts: WorkspaceServiceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const cache = { max: opts.cacheMax ?? 10_000, ttlMs: opts.cacheTtlMs ?? 5_000, now: this.now };
    this.bySiteKey = boundedCache(cache);
    this.knownOrigins = boundedCache(cache);
    this.invalidation = opts.invalidation ?? new LocalInvalidationBus();
    this.secretGraceMs = opts.secretGraceMs ?? DEFAULT_SECRET_GRACE_MS;
    this.invalidation.subscribe((event) => {
      if (event.type === 'workspace') {
        this.bySiteKey.delete(event.siteKey);
        // Which origins changed is not known here: any cached answer may now be wrong.
        this.knownOrigins.clear();
      } else if (event.type === 'all') {
        this.bySiteKey.clear();
        this.knownOrigins.clear();
      }
    });
  }

  /** Entries held by the look-up caches (site keys + origins): bounded by `cacheMax` each. */
  get cachedEntries(): number {
    return this.bySiteKey.size + this.knownOrigins.size;
  }

  async create(input: NewWorkspace) {
    const ws = await this.prisma.workspace.create({ data: this.newWorkspaceData(input) });
    // Its origins may have been cached as unknown.
    await this.changed(ws);
    return ws;
  }

  /** A validated row with fresh keys, for callers that write it inside their own transaction. */
  newWorkspaceData(input: NewWorkspace) {
    return {
      name: validName(input.name),
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
  /** A workspace by id (the agent console's whoami); NOT_FOUND when it is gone. */
  async byId(id: string): Promise<Workspace> {
    const ws = await this.prisma.workspace.findUnique({ where: { id } });
    if (!ws) throw new AppError('NOT_FOUND', 'This workspace no longer exists.');
    return ws;
  }

  async resolveSiteKey(siteKey: string): Promise<Workspace> {
    let hit = this.bySiteKey.get(siteKey);
    if (!hit) {
      // Longer strings are no site key: answered without a query, and not cached.
      if (siteKey.length > 128) throw new AppError('SITE_KEY_UNKNOWN');
      hit = { ws: await this.prisma.workspace.findUnique({ where: { siteKey } }) };
      this.bySiteKey.set(siteKey, hit);
    }
    if (!hit.ws) throw new AppError('SITE_KEY_UNKNOWN');
    return hit.ws;
  }

  /** Throws ORIGIN_NOT_ALLOWED unless the browser Origin is one the workspace allows. */
  assertOrigin(ws: Pick<Workspace, 'allowedOrigins'>, origin: string | undefined | null): void {
    if (!this.allowsOrigin(ws, origin)) {
      const shown = origin ? (origin.length > MAX_ORIGIN_LENGTH ? `${origin.slice(0, 40)}…` : origin) : '(none)';
      throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${shown} is not allowed for this workspace.`);
    }
  }

  allowsOrigin(ws: Pick<Workspace, 'allowedOrigins'>, origin: string | undefined | null): boolean {
    const normalized = origin && origin.length <= MAX_ORIGIN_LENGTH ? normalizeOrigin(origin) : null;
    return normalized !== null && ws.allowedOrigins.some((allowed) => originMatches(allowed, normalized));
  }

  /** Resolve by site key and check the Origin in one step (widget handshakes and REST calls). */
  async authorizeOrigin(siteKey: string, origin: string | undefined | null): Promise<Workspace> {
    const ws = await this.resolveSiteKey(siteKey);
    this.assertOrigin(ws, origin);
    return ws;
  }

  /**
   * Whether any workspace allows this origin: decides CORS before a route knows its workspace. Every request
   * with an Origin header asks, so only well-formed origins are looked up and cached, by their normal form.
   */
  async isOriginKnown(origin: string): Promise<boolean> {
    const normalized = origin.length <= MAX_ORIGIN_LENGTH ? normalizeOrigin(origin) : null;
    if (!normalized) return false;
    const hit = this.knownOrigins.get(normalized);
    if (hit) return hit.known;
    const host = new URL(normalized).host;
    const found = await this.prisma.workspace.findFirst({
      where: { allowedOrigins: { hasSome: [normalized, ...wildcardsFor(normalized, host)] } },
      select: { id: true },
    });
    this.knownOrigins.set(normalized, { known: found !== null });
    return found !== null;
  }

  acceptedSecrets(ws: SigningSecrets): string[] {
    return acceptedSecrets(ws, this.now());
  }

  /**
   * A new secret; the current one stays accepted for `graceMs` (default: the configured grace period) so
   * the merchant's backend and identity tokens already handed out keep working while they switch. A second
   * rotation replaces the previous secret: only two are ever accepted. `graceMs: 0` refuses the old one at once.
   */
  async rotateSecret(siteKey: string, opts: { graceMs?: number } = {}) {
    const graceMs = opts.graceMs ?? this.secretGraceMs;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new AppError('VALIDATION_FAILED', 'The grace period must be zero or more.');
    const ws = await this.fresh(siteKey);
    return this.update(ws, {
      secret: newWorkspaceSecret(),
      previousSecret: graceMs > 0 ? ws.secret : null,
      previousSecretExpiresAt: graceMs > 0 ? new Date(this.now() + graceMs) : null,
    });
  }

  /** Stop accepting the previous secret now (the backend has switched, or the old secret leaked). */
  async endSecretRotation(siteKey: string) {
    const ws = await this.fresh(siteKey);
    if (this.acceptedSecrets(ws).length < 2) throw new AppError('NOT_FOUND', 'No previous secret is accepted for this workspace.');
    return this.update(ws, { previousSecret: null, previousSecretExpiresAt: null });
  }

  async rename(siteKey: string, name: string) {
    return this.update(await this.fresh(siteKey), { name: validName(name) });
  }

  /** Merge a validated patch into the workspace's settings; `null` clears the greeting or the reply time. */
  async updateSettings(siteKey: string, patch: SettingsPatch) {
    const parsed = parseInput(SettingsPatch, patch);
    const ws = await this.fresh(siteKey);
    return this.update(ws, { settings: { ...workspaceSettings(ws), ...parsed } });
  }

  async addOrigin(siteKey: string, origin: string) {
    const [normalized] = this.normalizeOrigins([origin]);
    const ws = await this.fresh(siteKey);
    if (ws.allowedOrigins.includes(normalized!)) return ws;
    return this.update(ws, { allowedOrigins: [...ws.allowedOrigins, normalized!] });
  }

  async removeOrigin(siteKey: string, origin: string) {
    const normalized = normalizeOriginPattern(origin) ?? origin;
    const ws = await this.fresh(siteKey);
    if (!ws.allowedOrigins.includes(normalized)) {
      throw new AppError('NOT_FOUND', `${origin} is not an allowed origin of this workspace.`);
    }
    return this.update(ws, { allowedOrigins: ws.allowedOrigins.filter((o) => o !== normalized) });
  }

  /** Delete the workspace and everything in it (agents, customers, conversations, payments, receipts). */
  async delete(siteKey: string) {
    const ws = await this.fresh(siteKey);
    await this.prisma.workspace.delete({ where: { id: ws.id } });
    await this.changed(ws, true);
    return ws;
  }

  /** Admin changes start from the stored row, never a cached copy another instance may have outdated. */
  private async fresh(siteKey: string): Promise<Workspace> {
    const ws = siteKey.length <= 128 ? await this.prisma.workspace.findUnique({ where: { siteKey } }) : null;
    if (!ws) throw new AppError('SITE_KEY_UNKNOWN');
    return ws;
  }

  private async update(ws: Workspace, data: Parameters<PrismaClient['workspace']['update']>[0]['data']) {
    const updated = await this.prisma.workspace.update({ where: { id: ws.id }, data });
    await this.changed(updated);
    return updated;
  }

  /** Every instance forgets what it cached about the workspace (and re-checks its open sockets). */
  private changed(ws: Pick<Workspace, 'id' | 'siteKey'>, deleted = false): Promise<void> {
    return this.invalidation.publish({ type: 'workspace', workspaceId: ws.id, siteKey: ws.siteKey, deleted });
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

function validName(value: string): string {
  const name = value.trim();
  if (!name || name.length > 120) throw new AppError('VALIDATION_FAILED', 'Workspace name must be 1–120 characters.');
  return name;
}

/** `https://*.a.b` patterns that would match a host such as x.a.b. */
function wildcardsFor(origin: string, host: string): string[] {
  const scheme = origin.slice(0, origin.indexOf('://'));
  const parts = host.split('.');
  const out: string[] = [];
  for (let i = 1; i < parts.length - 1; i++) out.push(`${scheme}://*.${parts.slice(i).join('.')}`);
  return out;
}
