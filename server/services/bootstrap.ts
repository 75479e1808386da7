// What start-up prepares. In demo mode (the default outside production), a demo workspace and agent on an
// empty database, so `npm start` is usable at once. Otherwise nothing is created: a real deployment starts
// empty and its operator creates the first workspace and owner with the admin CLI (the banner says how).
import { networkInterfaces } from 'node:os';
import type { PrismaClient, Workspace } from '../db/generated/client.ts';
import type { Services } from './index.ts';
import { workspaceSettings } from './workspaces.service.ts';

export const DEMO_AGENT_EMAIL = 'demo@verychat.local';
/** Held for the whole check-and-create so two instances starting together create one demo. */
const BOOTSTRAP_LOCK = 72707371;

export interface BootstrapResult {
  created: boolean;
  workspace: Workspace;
  /** Only on creation: the generated password is shown once and never stored in clear. */
  agent?: { email: string; password: string };
}

/** The demo workspace is the one whose settings say `demo: true` (only bootstrap writes that). */
const IS_DEMO = { settings: { path: ['demo'], equals: true } } as const;

/** The demo pages' workspace, if demo mode ever created one. */
export function findDemoWorkspace(prisma: Pick<PrismaClient, 'workspace'>): Promise<Workspace | null> {
  return prisma.workspace.findFirst({ where: IS_DEMO, orderBy: { createdAt: 'asc' } });
}

/** What start-up found or made: the demo (demo mode), or how many workspaces exist (a real deployment). */
export type StartupState = { demo: BootstrapResult } | { demo: null; workspaceCount: number };

export async function prepareStartup(
  prisma: PrismaClient,
  services: Services,
  opts: { demo: boolean; origins: string[] },
): Promise<StartupState> {
  if (opts.demo) return { demo: await bootstrapDemo(prisma, services, opts) };
  return { demo: null, workspaceCount: await prisma.workspace.count() };
}

export async function bootstrapDemo(
  prisma: PrismaClient,
  services: Services,
  opts: { origins: string[] },
): Promise<BootstrapResult> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
      const existing = await findDemoWorkspace(tx);
      if (existing) return { created: false, workspace: existing };
      // Rows are built by the services but written through tx, so workspace and agent commit together.
      const workspace = await tx.workspace.create({
        data: services.workspaces.newWorkspaceData({ name: 'Demo Store', allowedOrigins: opts.origins, settings: { demo: true, replyTime: 'Usually within a few hours' } }),
      });
      const agent = await services.agents.newAgentData(workspace.id, {
        email: DEMO_AGENT_EMAIL,
        name: 'Demo Agent',
        role: 'owner',
      });
      const created = await tx.agent.create({ data: agent.data, select: { id: true } });
      // Three starter canned replies, so `/` in the console's composer shows something at once.
      await services.canned.seed(tx, workspace.id, created.id);
      return { created: true, workspace, agent: { email: DEMO_AGENT_EMAIL, password: agent.password } };
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

/**
 * Where another device on the network reaches the demo (a phone on the same Wi-Fi): this machine's IPv4
 * addresses when the server listens on every interface, or the one address it listens on.
 */
export function lanOrigins(host: string, port: number, interfaces = networkInterfaces()): string[] {
  const all = host === '0.0.0.0' || host === '::';
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal && (all || i.address === host))
    .map((i) => i.address);
  return [...new Set(addresses)].map((a) => `http://${a}:${port}`);
}

/**
 * The demo workspace allows the demo storefront wherever this start serves it: this start's LAN origins are
 * added and the previous start's that are gone (another network, another address) removed. The merchant's
 * own origins are never touched: the LAN ones are remembered in the workspace's settings.
 */
export async function syncDemoLanOrigins(prisma: PrismaClient, services: Services, workspaceId: string, origins: string[]): Promise<void> {
  const ws = await prisma.workspace.findUnique({ where: { id: workspaceId } });
  if (!ws) return;
  const previous = workspaceSettings(ws).lanOrigins ?? [];
  for (const origin of previous) {
    if (!origins.includes(origin) && ws.allowedOrigins.includes(origin)) await services.workspaces.removeOrigin(ws.siteKey, origin);
  }
  for (const origin of origins) if (!ws.allowedOrigins.includes(origin)) await services.workspaces.addOrigin(ws.siteKey, origin);
  // Adding and removing origins leaves the settings as they were read above.
  if (previous.join() !== origins.join()) {
    await prisma.workspace.update({ where: { id: workspaceId }, data: { settings: { ...((ws.settings ?? {}) as object), lanOrigins: origins } } });
  }
}

/** The framed block printed at start-up. Secrets are printed only on the first start. */
export function startupBanner(url: string, state: StartupState, dbDescription: string, lan: string[] = []): string {
  const lines = [`VeryChat is running at ${url}`, ''];
  const result = state.demo;
  if (result) lines.push(`  Storefront demo   ${url}/`, ...lan.map((o, i) => `  ${(i ? '' : 'On your network').padEnd(18)}${o}/`), `  Help center       ${url}/help`);
  lines.push(`  Agent console     ${url}/support`, `  Health            ${url}/health`, `  Database          ${dbDescription}`);
  if (!result) {
    if (state.workspaceCount > 0) {
      lines.push(`  Workspaces        ${state.workspaceCount} (npm run verychat -- workspace:list)`);
    } else {
      lines.push(
        '  Workspaces        none yet. Create the first one, then its owner:',
        '',
        '  npm run verychat -- workspace:create --name "Your shop" --origin https://shop.example',
        '  npm run verychat -- agent:create <siteKey> --email you@shop.example --name "Your name" --role owner',
        '',
        '  The first prints the site key for the script tag and the secret for your backend; the second',
        "  prints the owner's password once.",
      );
    }
  } else {
    lines.push(`  Demo site key     ${result.workspace.siteKey}`);
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
  }
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = '─'.repeat(width);
  return [`┌${bar}┐`, ...lines.map((l) => `│ ${l.padEnd(width - 1)}│`), `└${bar}┘`].join('\n');
}
