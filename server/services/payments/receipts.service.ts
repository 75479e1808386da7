// Receipts are private: only the payer, the payee (by their identity token) and the workspace's agents
// see one. Everyone else, including other workspaces, gets the same NOT_FOUND as for a missing id.
import type { ReceiptDto } from '../../../protocol/payments.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { AgentService } from '../auth/agents.service.ts';
import type { TokenService } from '../auth/tokens.ts';
import { toPaymentDto } from './dto.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class ReceiptService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { tokens: TokenService; agents: AgentService; baseUrl: () => string },
  ) {}

  /** `credential`: a customer identity token (JWT) or an agent session token. */
  async view(receiptId: string, credential: string | undefined): Promise<ReceiptDto> {
    const notFound = new AppError('NOT_FOUND', 'No such receipt.');
    if (!UUID.test(receiptId) || !credential) throw notFound;
    const receipt = await this.prisma.receipt.findUnique({
      where: { id: receiptId.toLowerCase() },
      include: { payment: true, workspace: true },
    });
    if (!receipt) throw notFound;
    const allowed = await this.mayView(receipt.workspace, receipt.payment, credential).catch((err: unknown) => {
      // A bad, expired or foreign credential is just "not yours"; anything else is a real failure.
      if (err instanceof AppError) return false;
      throw err;
    });
    if (!allowed) throw notFound;
    const base = this.deps.baseUrl();
    const payment = toPaymentDto(receipt.payment, receipt, base);
    return {
      id: receipt.id,
      number: receipt.number,
      url: payment.receipt!.url,
      issuedAt: receipt.issuedAt.toISOString(),
      merchant: { name: receipt.workspace.name },
      payment,
    };
  }

  private async mayView(
    ws: { id: string; secret: string; settings: unknown },
    payment: { payerId: string; payeeId: string },
    credential: string,
  ): Promise<boolean> {
    if (JWT.test(credential)) {
      const identity = await this.deps.tokens.verifyIdentityToken(ws, credential);
      return identity.externalId === payment.payerId || identity.externalId === payment.payeeId;
    }
    const { agent } = await this.deps.agents.authenticate(credential);
    return agent.workspaceId === ws.id;
  }
}
