// Canned replies (issue 10 point 4): a workspace's saved replies, inserted in the console by `/shortcut`.
// Every agent reads them; owners and admins change them (the routes check the role). Rendering fills the
// variables on the server from the named conversation's own customer — in the agent's workspace only — so a
// reply can never carry another customer's name or payment.
import { CANNED_VARIABLES, MAX_CANNED_REPLIES, type CannedRenderResponse, type CannedReplyDto } from '../../../protocol/console.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError } from '../../errors.ts';
import { decimalToString } from '../payments/decimal.ts';
import type { Principal } from '../principal.ts';

type AgentPrincipal = Principal & { kind: 'agent' };
export interface CannedInput {
  shortcut: string;
  title: string;
  text: string;
}

const SELECT = {
  id: true,
  shortcut: true,
  title: true,
  text: true,
  createdAt: true,
  updatedAt: true,
  createdBy: { select: { id: true, name: true } },
} as const;

/** Three starters for the demo workspace (and any workspace that wants them). */
export const STARTER_CANNED_REPLIES: CannedInput[] = [
  { shortcut: 'hello', title: 'Greeting', text: 'Hi {{customer.name}}, thanks for reaching out! Let me take a look.' },
  {
    shortcut: 'payment-status',
    title: 'Payment status',
    text: 'Hi {{customer.name}}, I checked your payment of {{payment.amount}}: its status is {{payment.status}}.',
  },
  { shortcut: 'thanks', title: 'Closing', text: 'Glad I could help, {{customer.name}}. Is there anything else I can do for you?' },
];

export class CannedReplyService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(workspaceId: string): Promise<CannedReplyDto[]> {
    const rows = await this.prisma.cannedReply.findMany({ where: { workspaceId }, orderBy: { shortcut: 'asc' }, take: MAX_CANNED_REPLIES, select: SELECT });
    return rows.map(toDto);
  }

  async create(agent: AgentPrincipal, input: CannedInput): Promise<CannedReplyDto> {
    const count = await this.prisma.cannedReply.count({ where: { workspaceId: agent.workspaceId } });
    if (count >= MAX_CANNED_REPLIES) throw new AppError('VALIDATION_FAILED', `A workspace has at most ${MAX_CANNED_REPLIES} canned replies.`);
    try {
      const row = await this.prisma.cannedReply.create({ data: { workspaceId: agent.workspaceId, createdById: agent.agentId, ...input }, select: SELECT });
      return toDto(row);
    } catch (err) {
      throw taken(err, input.shortcut);
    }
  }

  async update(workspaceId: string, id: string, input: CannedInput): Promise<CannedReplyDto> {
    try {
      const { count } = await this.prisma.cannedReply.updateMany({ where: { id, workspaceId }, data: input });
      if (!count) throw new AppError('NOT_FOUND', 'No such canned reply.');
    } catch (err) {
      throw taken(err, input.shortcut);
    }
    return toDto(await this.prisma.cannedReply.findFirstOrThrow({ where: { id, workspaceId }, select: SELECT }));
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const { count } = await this.prisma.cannedReply.deleteMany({ where: { id, workspaceId } });
    if (!count) throw new AppError('NOT_FOUND', 'No such canned reply.');
  }

  /** Adds the starters a workspace lacks (by shortcut); used by the demo bootstrap. */
  async seed(db: Pick<PrismaClient, 'cannedReply'>, workspaceId: string, createdById: string | null): Promise<void> {
    await db.cannedReply.createMany({
      data: STARTER_CANNED_REPLIES.map((c) => ({ workspaceId, createdById, ...c })),
      skipDuplicates: true,
    });
  }

  /** The reply's text with its variables filled from this conversation's customer (and its latest payment). */
  async render(agent: AgentPrincipal, id: string, conversationId: string): Promise<CannedRenderResponse> {
    const [reply, conversation] = await Promise.all([
      this.prisma.cannedReply.findFirst({ where: { id, workspaceId: agent.workspaceId }, select: { text: true } }),
      this.prisma.conversation.findFirst({
        where: { id: conversationId, workspaceId: agent.workspaceId },
        select: { contact: { select: { name: true, email: true, externalId: true } } },
      }),
    ]);
    if (!reply) throw new AppError('NOT_FOUND', 'No such canned reply.');
    if (!conversation) throw new AppError('NOT_FOUND', 'No such conversation in this workspace.');
    const { contact } = conversation;
    const payment = contact.externalId
      ? await this.prisma.payment.findFirst({
          where: { workspaceId: agent.workspaceId, OR: [{ payerId: contact.externalId }, { payeeId: contact.externalId }] },
          orderBy: [{ initiatedAt: 'desc' }, { id: 'desc' }],
          select: { amount: true, token: true, status: true, reference: true },
        })
      : null;
    const values: Record<(typeof CANNED_VARIABLES)[number], string | null> = {
      'customer.name': contact.name,
      'customer.email': contact.email,
      'payment.amount': payment ? `${decimalToString(payment.amount)} ${payment.token}` : null,
      'payment.status': payment?.status ?? null,
      'payment.reference': payment?.reference ?? null,
      'agent.name': agent.name,
    };
    return fillCanned(reply.text, values);
  }
}

/** `{{name}}` is `{{customer.name}}`; an unknown variable, or one without a value, stays as written. */
export function fillCanned(text: string, values: Record<string, string | null>): CannedRenderResponse {
  const missing = new Set<string>();
  const out = text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, raw: string) => {
    const name = raw === 'name' ? 'customer.name' : raw;
    if (!(name in values)) return m;
    const v = values[name];
    if (v === null || v === undefined || v === '') {
      missing.add(name);
      return m;
    }
    return v;
  });
  return { text: out, missing: [...missing] };
}

function taken(err: unknown, shortcut: string): unknown {
  return isUniqueViolation(err) ? new AppError('CONFLICT', `The shortcut /${shortcut} is taken in this workspace.`) : err;
}

function toDto(r: { id: string; shortcut: string; title: string; text: string; createdAt: Date; updatedAt: Date; createdBy: { id: string; name: string } | null }): CannedReplyDto {
  return {
    id: r.id,
    shortcut: r.shortcut,
    title: r.title,
    text: r.text,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
