// Agents (the merchant's support staff): accounts, password login, revocable bearer sessions.
import type { Agent, AgentRole, PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { LocalInvalidationBus, type InvalidationBus } from '../invalidation.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { newAgentToken, newPassword, randomToken, sha256Hex } from './secrets.ts';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Sign-in by email alone checks the password against at most this many workspaces (bounded work per attempt). */
const MAX_LOGIN_WORKSPACES = 10;
/** bearer: API clients send the token themselves · cookie: the console's browser sends it (CSRF checks apply). */
export type SessionKind = 'bearer' | 'cookie';
/** lastUsedAt is informational; writing it on every request would make reads into writes. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export interface NewAgent {
  email: string;
  name: string;
  password?: string;
  role?: AgentRole;
}

export interface AgentSessionInfo {
  agent: Agent;
  sessionId: string;
  expiresAt: Date;
}

export class AgentService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number = Date.now,
    /** Tells every instance that an agent is gone or signed out everywhere (their sockets close). */
    private readonly invalidation: InvalidationBus = new LocalInvalidationBus(),
  ) {}

  async create(workspaceId: string, input: NewAgent) {
    const { data, password } = await this.newAgentData(workspaceId, input);
    const existing = await this.prisma.agent.findUnique({
      where: { workspaceId_email: { workspaceId, email: data.email } },
    });
    if (existing) throw new AppError('CONFLICT', `An agent with email ${data.email} already exists in this workspace.`);
    const agent = await this.prisma.agent.create({ data });
    return { agent, password };
  }

  /** A validated row with its password hashed; the clear password (generated when omitted) is returned once. */
  async newAgentData(workspaceId: string, input: NewAgent) {
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) {
      throw new AppError('VALIDATION_FAILED', `"${input.email}" is not an email address.`);
    }
    const password = input.password ?? newPassword();
    if (password.length < 10) throw new AppError('VALIDATION_FAILED', 'Password must be at least 10 characters.');
    const data = {
      workspaceId,
      email,
      name: input.name.trim() || email,
      role: input.role ?? ('agent' as AgentRole),
      passwordHash: await hashPassword(password),
    };
    return { data, password };
  }

  list(workspaceId: string) {
    return this.prisma.agent.findMany({ where: { workspaceId }, orderBy: { createdAt: 'asc' } });
  }

  /** Delete an agent: their sessions end and their open sockets close on every instance. */
  async remove(workspaceId: string, email: string) {
    const agent = await this.findByEmail(workspaceId, email);
    await this.prisma.agent.delete({ where: { id: agent.id } });
    await this.invalidation.publish({ type: 'agent', workspaceId, agentId: agent.id, deleted: true });
    return agent;
  }

  /** Set a new password (generated when omitted) and revoke every session of the agent. */
  async resetPassword(workspaceId: string, email: string, password = newPassword()) {
    const agent = await this.findByEmail(workspaceId, email);
    await this.prisma.$transaction([
      this.prisma.agent.update({ where: { id: agent.id }, data: { passwordHash: await hashPassword(password) } }),
      this.prisma.agentSession.updateMany({
        where: { agentId: agent.id, revokedAt: null },
        data: { revokedAt: new Date(this.now()) },
      }),
    ]);
    await this.invalidation.publish({ type: 'agent', workspaceId, agentId: agent.id, deleted: false });
    return { agent, password };
  }

  private async findByEmail(workspaceId: string, email: string): Promise<Agent> {
    const agent = await this.prisma.agent.findUnique({
      where: { workspaceId_email: { workspaceId, email: normalizeEmail(email) } },
    });
    if (!agent) throw new AppError('NOT_FOUND', `No agent ${email} in this workspace.`);
    return agent;
  }

  /**
   * Email + password → a session token (the bearer token, or the console cookie's value: `kind` says which).
   * Unknown email and wrong password look the same, in text and in time.
   */
  async login(workspaceId: string, email: string, password: string, kind: SessionKind = 'bearer') {
    const agent = await this.prisma.agent.findUnique({
      where: { workspaceId_email: { workspaceId, email: normalizeEmail(email) } },
    });
    const ok = await verifyPassword(password, agent?.passwordHash ?? (await this.getDummyHash()));
    if (!agent || !ok) throw new AppError('AUTH_INVALID', 'Email or password is incorrect.');
    return { ...(await this.newSession(agent.id, kind)), agent };
  }

  /**
   * Sign-in by email and password alone (the console's form): the password is checked against each
   * workspace's agent with that email (at most MAX_LOGIN_WORKSPACES, oldest first). One match signs in;
   * several ask which workspace (their names are shown only to someone who knows the password).
   */
  async loginByEmail(email: string, password: string, kind: SessionKind = 'bearer') {
    const agents = await this.prisma.agent.findMany({
      where: { email: normalizeEmail(email) },
      orderBy: { createdAt: 'asc' },
      take: MAX_LOGIN_WORKSPACES,
      include: { workspace: { select: { name: true, siteKey: true } } },
    });
    if (agents.length === 0) await verifyPassword(password, await this.getDummyHash());
    const matches = [];
    for (const agent of agents) if (await verifyPassword(password, agent.passwordHash)) matches.push(agent);
    if (matches.length === 0) throw new AppError('AUTH_INVALID', 'Email or password is incorrect.');
    if (matches.length > 1) {
      throw new AppError('WORKSPACE_REQUIRED', undefined, { workspaces: matches.map((a) => ({ name: a.workspace.name, siteKey: a.workspace.siteKey })) });
    }
    const { workspace: _w, ...agent } = matches[0]!;
    return { ...(await this.newSession(agent.id, kind)), agent };
  }

  private async newSession(agentId: string, kind: SessionKind) {
    const token = newAgentToken();
    const expiresAt = new Date(this.now() + SESSION_TTL_MS);
    const session = await this.prisma.agentSession.create({ data: { agentId, tokenHash: sha256Hex(token), expiresAt, kind } });
    return { token, expiresAt, sessionId: session.id };
  }

  /** Sign one session out: revoked at once, and its sockets close on every instance. Idempotent. */
  async endSession(info: AgentSessionInfo): Promise<void> {
    await this.prisma.agentSession.updateMany({ where: { id: info.sessionId, revokedAt: null }, data: { revokedAt: new Date(this.now()) } });
    await this.invalidation.publish({ type: 'session', workspaceId: info.agent.workspaceId, agentId: info.agent.id, sessionId: info.sessionId });
  }

  /**
   * A single-use invitation link's token (shown once; only its hash is stored). Owners and admins invite
   * agents and admins (never owners); `invitedBy` null is the operator's CLI.
   */
  async createInvite(workspaceId: string, input: { email: string; role: 'agent' | 'admin'; invitedBy: Agent | null }) {
    if (input.invitedBy && input.invitedBy.role === 'agent') throw new AppError('FORBIDDEN', 'Only owners and admins invite agents.');
    if (input.invitedBy && input.invitedBy.workspaceId !== workspaceId) throw new AppError('FORBIDDEN', 'This belongs to another workspace.');
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) throw new AppError('VALIDATION_FAILED', `"${input.email}" is not an email address.`);
    const existing = await this.prisma.agent.findUnique({ where: { workspaceId_email: { workspaceId, email } }, select: { id: true } });
    if (existing) throw new AppError('CONFLICT', `An agent with email ${email} already exists in this workspace.`);
    const token = `vci_${randomToken(24)}`;
    const expiresAt = new Date(this.now() + INVITE_TTL_MS);
    await this.prisma.agentInvite.create({
      data: { workspaceId, email, role: input.role, tokenHash: sha256Hex(token), invitedById: input.invitedBy?.id ?? null, expiresAt },
    });
    return { token, email, role: input.role, expiresAt };
  }

  /**
   * Accept an invitation: the invite is consumed by compare-and-set in the same transaction that creates the
   * agent, so a link works once even when opened twice at the same moment. Signs the new agent in.
   */
  async acceptInvite(token: string, input: { name: string; password: string }, kind: SessionKind = 'cookie') {
    if (!/^vci_[A-Za-z0-9_-]{10,100}$/.test(token)) throw new AppError('AUTH_INVALID', 'This invitation link is invalid.');
    const now = new Date(this.now());
    const agent = await this.prisma.$transaction(async (tx) => {
      const consumed = await tx.agentInvite.updateMany({
        where: { tokenHash: sha256Hex(token), acceptedAt: null, expiresAt: { gt: now } },
        data: { acceptedAt: now },
      });
      if (consumed.count !== 1) throw new AppError('AUTH_INVALID', 'This invitation link is invalid, expired or already used.');
      const invite = await tx.agentInvite.findUniqueOrThrow({ where: { tokenHash: sha256Hex(token) } });
      const { data } = await this.newAgentData(invite.workspaceId, { email: invite.email, name: input.name, password: input.password, role: invite.role });
      const taken = await tx.agent.findUnique({ where: { workspaceId_email: { workspaceId: invite.workspaceId, email: data.email } } });
      if (taken) throw new AppError('CONFLICT', `An agent with email ${data.email} already exists in this workspace.`);
      const created = await tx.agent.create({ data });
      await tx.agentInvite.update({ where: { id: invite.id }, data: { acceptedAgentId: created.id } });
      return created;
    });
    return { ...(await this.newSession(agent.id, kind)), agent };
  }

  async preferences(agentId: string): Promise<Record<string, unknown>> {
    const row = await this.prisma.agent.findUnique({ where: { id: agentId }, select: { preferences: true } });
    return (row?.preferences as Record<string, unknown> | null) ?? {};
  }

  async setPreferences(agentId: string, prefs: Record<string, boolean | undefined>): Promise<Record<string, unknown>> {
    const merged = Object.fromEntries(Object.entries({ ...(await this.preferences(agentId)), ...prefs }).filter(([, v]) => typeof v === 'boolean'));
    await this.prisma.agent.update({ where: { id: agentId }, data: { preferences: merged as Record<string, boolean> } });
    return merged;
  }

  async authenticate(token: string | undefined): Promise<AgentSessionInfo> {
    if (!token) throw new AppError('AUTH_REQUIRED', 'An agent session token is required.');
    if (!token.startsWith('vca_') || token.length > 256) throw new AppError('AUTH_INVALID', 'Session token is invalid.');
    const session = await this.prisma.agentSession.findUnique({
      where: { tokenHash: sha256Hex(token) },
      include: { agent: true },
    });
    if (!session || session.revokedAt) throw new AppError('AUTH_INVALID', 'Session is invalid or has been revoked.');
    const now = this.now();
    if (session.expiresAt.getTime() <= now) throw new AppError('AUTH_EXPIRED', 'Session has expired; log in again.');
    if (!session.lastUsedAt || now - session.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.prisma.agentSession.update({ where: { id: session.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { agent: session.agent, sessionId: session.id, expiresAt: session.expiresAt };
  }

  /** Revoke one session by its token. Idempotent. */
  async revoke(token: string): Promise<void> {
    await this.prisma.agentSession.updateMany({
      where: { tokenHash: sha256Hex(token), revokedAt: null },
      data: { revokedAt: new Date(this.now()) },
    });
  }

  /** Throws FORBIDDEN unless the agent belongs to the workspace. */
  assertWorkspace(agent: Pick<Agent, 'workspaceId'>, workspaceId: string): void {
    if (agent.workspaceId !== workspaceId) throw new AppError('FORBIDDEN', 'This belongs to another workspace.');
  }

  private getDummyHash() {
    this.dummyHash ??= hashPassword(randomToken(16));
    return this.dummyHash;
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
