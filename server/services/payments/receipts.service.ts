// Receipts are private: only the payer, the payee (by their receipt link or identity token) and the workspace's
// agents see one. Everyone else, including other workspaces, gets the same NOT_FOUND as for a missing id.
import type { ReceiptDto } from '../../../protocol/payments.ts';
import { parseHexColor } from '../../../protocol/color.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { AgentService } from '../auth/agents.service.ts';
import type { TokenService } from '../auth/tokens.ts';
import { workspaceSettings, DEFAULT_SETTINGS } from '../workspaces.service.ts';
import { contactNames, receiptPageUrl, toPaymentDto, unnamedParties } from './dto.ts';
import type { ReceiptLinks } from './receipt-links.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** How someone asks to see a receipt: a receipt link (`?k=`), or a bearer token (identity JWT or agent session). */
export interface ReceiptCredential {
  link?: string | undefined;
  bearer?: string | undefined;
}

type Viewer = { kind: 'customer'; externalId: string } | { kind: 'agent' };

export class ReceiptService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { tokens: TokenService; agents: AgentService; links: ReceiptLinks; baseUrl: () => string },
  ) {}

  async view(receiptId: string, credential: ReceiptCredential): Promise<ReceiptDto> {
    const notFound = new AppError('NOT_FOUND', 'No such receipt.');
    if (!UUID.test(receiptId) || (!credential.link && !credential.bearer)) throw notFound;
    const receipt = await this.prisma.receipt.findUnique({
      where: { id: receiptId.toLowerCase() },
      include: { payment: true, workspace: true },
    });
    if (!receipt) throw notFound;
    const viewer = await this.viewerOf(receipt.id, receipt.workspace, receipt.payment, credential).catch((err: unknown) => {
      // A bad, expired or foreign credential is just "not yours"; anything else is a real failure.
      if (err instanceof AppError) return null;
      throw err;
    });
    if (!viewer) throw notFound;
    const base = this.deps.baseUrl();
    const names = await contactNames(this.prisma, receipt.workspaceId, unnamedParties([receipt.payment]));
    const payment = toPaymentDto(receipt.payment, receipt, base, names);
    const settings = workspaceSettings(receipt.workspace);
    const p = receipt.payment;
    return {
      id: receipt.id,
      number: receipt.number,
      // A customer gets their own link back (fresh), never the credential they came with.
      url:
        viewer.kind === 'customer'
          ? this.deps.links.maker(receipt.workspace.visitorKey)(receipt.id, viewer.externalId)
          : receiptPageUrl(base, receipt.id),
      issuedAt: receipt.issuedAt.toISOString(),
      merchant: { name: receipt.workspace.name, color: parseHexColor(settings.color) ?? DEFAULT_SETTINGS.color },
      payment,
      timeline: {
        initiatedAt: p.initiatedAt.toISOString(),
        succeededAt: p.succeededAt?.toISOString() ?? null,
        failedAt: p.failedAt?.toISOString() ?? null,
        refundedAt: p.refundedAt?.toISOString() ?? null,
      },
      reader: viewer.kind === 'agent' ? 'agent' : viewer.externalId === p.payerId ? 'payer' : 'payee',
    };
  }

  private async viewerOf(
    receiptId: string,
    ws: { id: string; secret: string; visitorKey: string; settings: unknown; previousSecret: string | null; previousSecretExpiresAt: Date | null },
    payment: { payerId: string; payeeId: string },
    credential: ReceiptCredential,
  ): Promise<Viewer | null> {
    const parties = [payment.payerId, payment.payeeId];
    if (credential.link) {
      const externalId = this.deps.links.verify(ws.visitorKey, receiptId, parties, credential.link);
      if (externalId !== null) return { kind: 'customer', externalId };
    }
    const bearer = credential.bearer;
    if (!bearer) return null;
    if (JWT.test(bearer)) {
      const identity = await this.deps.tokens.verifyIdentityToken(ws, bearer);
      return parties.includes(identity.externalId) ? { kind: 'customer', externalId: identity.externalId } : null;
    }
    const { agent } = await this.deps.agents.authenticate(bearer);
    return agent.workspaceId === ws.id ? { kind: 'agent' } : null;
  }
}
