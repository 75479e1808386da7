// Agents (the merchant's support staff): accounts, password login, revocable bearer sessions.
import type { Agent, AgentRole, PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { LocalInvalidationBus, type InvalidationBus } from '../invalidation.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { newAgentToken, newPassword, randomToken, sha256Hex } from './secrets.ts';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
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

  /** Email + password → a bearer token. Unknown email and wrong password look the same, in text and in time. */
  async login(workspaceId: string, email: string, password: string) {
    const agent = await this.prisma.agent.findUnique({
      where: { workspaceId_email: { workspaceId, email: normalizeEmail(email) } },
    });
    const ok = await verifyPassword(password, agent?.passwordHash ?? (await this.getDummyHash()));
    if (!agent || !ok) throw new AppError('AUTH_INVALID', 'Email or password is incorrect.');
    const token = newAgentToken();
    const expiresAt = new Date(this.now() + SESSION_TTL_MS);
    await this.prisma.agentSession.create({ data: { agentId: agent.id, tokenHash: sha256Hex(token), expiresAt } });
    return { token, expiresAt, agent };
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
