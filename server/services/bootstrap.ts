// First start on an empty database: a demo workspace and agent, so `npm start` is usable at once.
import type { PrismaClient, Workspace } from '../db/generated/client.ts';
import type { Services } from './index.ts';

export const DEMO_AGENT_EMAIL = 'demo@verychat.local';
/** Held for the whole check-and-create so two instances starting together create one demo. */
const BOOTSTRAP_LOCK = 72707371;

export interface BootstrapResult {
  created: boolean;
  workspace: Workspace;
  /** Only on creation: the generated password is shown once and never stored in clear. */
  agent?: { email: string; password: string };
}

export async function bootstrapDemo(
  prisma: PrismaClient,
  services: Services,
  opts: { origins: string[] },
): Promise<BootstrapResult> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
      const existing = await tx.workspace.findFirst({ orderBy: { createdAt: 'asc' } });
      if (existing) return { created: false, workspace: existing };
      // Rows are built by the services but written through tx, so workspace and agent commit together.
      const workspace = await tx.workspace.create({
        data: services.workspaces.newWorkspaceData({ name: 'Demo Store', allowedOrigins: opts.origins, settings: { demo: true } }),
      });
      const agent = await services.agents.newAgentData(workspace.id, {
        email: DEMO_AGENT_EMAIL,
        name: 'Demo Agent',
        role: 'owner',
      });
      await tx.agent.create({ data: agent.data });
      return { created: true, workspace, agent: { email: DEMO_AGENT_EMAIL, password: agent.password } };
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

/** The framed block printed at start-up. Secrets are printed only on the first start. */
export function startupBanner(url: string, result: BootstrapResult, dbDescription: string): string {
  const lines = [
    `VeryChat is running at ${url}`,
    '',
    `  Storefront demo   ${url}/`,
    `  Health            ${url}/health`,
    `  Database          ${dbDescription}`,
    `  Demo site key     ${result.workspace.siteKey}`,
  ];
  if (result.agent) {
    lines.push(
      `  Demo secret       ${result.workspace.secret}`,
      `  Demo agent        ${result.agent.email}`,
      `  Agent password    ${result.agent.password}`,
      '',
      '  These are shown only now (the secret signs identity tokens and payment events: keep it',
      '  server-side). Later: npm run verychat -- workspace:show <siteKey>, and reset the password with',
      `  npm run verychat -- agent:password ${result.workspace.siteKey} ${result.agent.email}`,
    );
  } else {
    lines.push(`  Demo agent        ${DEMO_AGENT_EMAIL} (password shown on first start)`);
  }
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = '─'.repeat(width);
  return [`┌${bar}┐`, ...lines.map((l) => `│ ${l.padEnd(width - 1)}│`), `└${bar}┘`].join('\n');
}
