// The admin commands, stated once: their usage, options and what they do through the services. Run by the
// CLI process itself (DATABASE_URL, or the embedded database when no server holds it) and, through the admin
// channel, by the running server (its services, so its caches learn of the change at once). No process
// handling here: admin.ts is the entry point.
import { inviteUrl } from '../http/agent.routes.ts';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { AppError, validationError } from '../errors.ts';
import { parseDuration } from '../services/assistant/interactions.ts';
import { KbValidationError } from '../services/assistant/kb.ts';
import type { Services } from '../services/index.ts';
import { workspaceSettings, type SettingsPatch, type Workspace } from '../services/workspaces.service.ts';

/** Where a command writes: `out` for results, `err` for errors and warnings. */
export interface AdminIO {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: 0 done, 1 the command failed, 2 it was not understood (usage). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line was not understood: wrong command, option or argument count. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  group: 'Workspaces' | 'Allowed origins' | 'Agents' | 'Assistant';
  /** Positional arguments, in order; all required. */
  args: string[];
  /** One more positional argument that may be left out (after `args`). */
  optionalArg?: string;
  options?: Options;
  /** Options as the help shows them, after the arguments. */
  optionsUsage?: string;
  summary: string;
  run(c: { services: Services; io: AdminIO; args: string[]; values: Values }): Promise<void>;
}

const str = (values: Values, key: string) => values[key] as string | undefined;

const COMMANDS: Record<string, Command> = {
  'workspace:create': {
    group: 'Workspaces',
    args: [],
    options: { name: { type: 'string' }, origin: { type: 'string', multiple: true } },
    optionsUsage: '--name <name> [--origin <url>]...',
    summary: 'create a workspace; prints its site key and secret',
    async run({ services, io, values }) {
      const name = str(values, 'name');
      if (!name) throw new UsageError('workspace:create needs --name.');
      const ws = await services.workspaces.create({ name, allowedOrigins: (values.origin as string[] | undefined) ?? [] });
      io.out(`Created workspace "${ws.name}"`);
      describeKeys(ws, io);
    },
  },
  'workspace:list': {
    group: 'Workspaces',
    args: [],
    summary: 'list workspaces',
    async run({ services, io }) {
      const list = await services.workspaces.list();
      if (!list.length) io.out('No workspaces.');
      for (const ws of list) io.out(`${ws.siteKey}  ${ws.name}  origins: ${ws.allowedOrigins.join(', ') || '(none)'}`);
    },
  },
  'workspace:show': {
    group: 'Workspaces',
    args: ['siteKey'],
    summary: "print a workspace's keys, origins and widget settings (e.g. the demo's)",
    async run({ services, io, args }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      io.out(`Workspace "${ws.name}"`);
      describeKeys(ws, io);
      describeSettings(ws, io);
    },
  },
  'workspace:rename': {
    group: 'Workspaces',
    args: ['siteKey', 'name'],
    summary: 'rename a workspace (the name visitors see in the widget)',
    async run({ services, io, args }) {
      const ws = await services.workspaces.rename(args[0]!, args[1]!);
      io.out(`Renamed to "${ws.name}".`);
    },
  },
  'workspace:settings': {
    group: 'Workspaces',
    args: ['siteKey'],
    options: {
      name: { type: 'string' },
      color: { type: 'string' },
      position: { type: 'string' },
      locale: { type: 'string' },
      greeting: { type: 'string' },
      'reply-time': { type: 'string' },
      theme: { type: 'string' },
    },
    optionsUsage:
      '[--name <name>] [--color <#rrggbb>] [--position right|left] [--locale en|es|ar]\n' +
      '      [--greeting <text>] [--reply-time <text>] [--theme auto|light|dark]',
    summary: 'set the widget\'s look and texts (--greeting "" or --reply-time "" removes one); no option: show them',
    async run({ services, io, args, values }) {
      const [siteKey] = args as [string];
      const patch: SettingsPatch = {};
      const color = str(values, 'color');
      const position = str(values, 'position');
      const locale = str(values, 'locale');
      const greeting = str(values, 'greeting');
      const replyTime = str(values, 'reply-time');
      const theme = str(values, 'theme');
      // The service validates each value; the casts only carry them there.
      if (color !== undefined) patch.color = color;
      if (position !== undefined) patch.position = position as SettingsPatch['position'];
      if (locale !== undefined) patch.locale = locale;
      if (greeting !== undefined) patch.greeting = greeting.trim() === '' ? null : greeting;
      if (replyTime !== undefined) patch.replyTime = replyTime.trim() === '' ? null : replyTime;
      if (theme !== undefined) patch.theme = theme as SettingsPatch['theme'];
      const name = str(values, 'name');
      let ws = name === undefined ? await services.workspaces.resolveSiteKey(siteKey) : await services.workspaces.rename(siteKey, name);
      if (Object.keys(patch).length) ws = await services.workspaces.updateSettings(siteKey, patch);
      if (name !== undefined || Object.keys(patch).length) io.out(`Updated "${ws.name}".`);
      describeSettings(ws, io);
    },
  },
  'workspace:rotate-secret': {
    group: 'Workspaces',
    args: ['siteKey'],
    options: { 'grace-hours': { type: 'string' } },
    optionsUsage: '[--grace-hours <hours>]',
    summary: 'new signing secret; the old one stays valid for the grace period (default SECRET_ROTATION_GRACE_HOURS, 24)',
    async run({ services, io, args, values }) {
      const hours = str(values, 'grace-hours');
      const graceHours = hours === undefined ? undefined : Number(hours);
      if (graceHours !== undefined && !(hours!.trim() !== '' && Number.isFinite(graceHours) && graceHours >= 0 && graceHours <= 720)) {
        throw new UsageError('--grace-hours must be a number of hours from 0 to 720.');
      }
      const ws = await services.workspaces.rotateSecret(args[0]!, graceHours === undefined ? {} : { graceMs: graceHours * 3_600_000 });
      io.out(`New secret for "${ws.name}": ${ws.secret}`);
      if (ws.previousSecretExpiresAt) {
        io.out(`The previous secret is accepted until ${ws.previousSecretExpiresAt.toISOString()}: sign with the new one now.`);
        io.out(`Once your backend uses the new secret: npm run verychat -- workspace:end-rotation ${ws.siteKey}`);
      } else {
        io.out('The previous secret is refused from now on.');
      }
    },
  },
  'workspace:end-rotation': {
    group: 'Workspaces',
    args: ['siteKey'],
    summary: 'stop accepting the previous secret now (the backend has switched, or the old secret leaked)',
    async run({ services, io, args }) {
      const ws = await services.workspaces.endSecretRotation(args[0]!);
      io.out(`Only the current secret of "${ws.name}" is accepted from now on.`);
    },
  },
  'workspace:delete': {
    group: 'Workspaces',
    args: ['siteKey'],
    options: { yes: { type: 'boolean' } },
    optionsUsage: '--yes',
    summary: 'delete a workspace with its agents, customers, conversations, payments and receipts',
    async run({ services, io, args, values }) {
      if (values.yes !== true) {
        const ws = await services.workspaces.resolveSiteKey(args[0]!);
        throw new AppError(
          'VALIDATION_FAILED',
          `This deletes "${ws.name}" with all its agents, customers, conversations, payments and receipts, for good. ` +
            `To go ahead: npm run verychat -- workspace:delete ${ws.siteKey} --yes`,
        );
      }
      const ws = await services.workspaces.delete(args[0]!);
      io.out(`Deleted workspace "${ws.name}" (${ws.siteKey}).`);
    },
  },
  'origin:add': {
    group: 'Allowed origins',
    args: ['siteKey', 'origin'],
    summary: 'allow an origin (https://shop.example or https://*.shop.example)',
    async run({ services, io, args }) {
      const ws = await services.workspaces.addOrigin(args[0]!, args[1]!);
      io.out(`Allowed origins of "${ws.name}": ${ws.allowedOrigins.join(', ')}`);
    },
  },
  'origin:remove': {
    group: 'Allowed origins',
    args: ['siteKey', 'origin'],
    summary: 'stop allowing an origin',
    async run({ services, io, args }) {
      const ws = await services.workspaces.removeOrigin(args[0]!, args[1]!);
      io.out(`Allowed origins of "${ws.name}": ${ws.allowedOrigins.join(', ') || '(none)'}`);
    },
  },
  'agent:create': {
    group: 'Agents',
    args: ['siteKey'],
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
    optionsUsage: '--email <email> [--name <name>] [--role owner|admin|agent] [--password <pw>]',
    summary: 'add an agent; prints a generated password once unless --password is given',
    async run({ services, io, args, values }) {
      const email = str(values, 'email');
      if (!email) throw new UsageError('agent:create needs --email.');
      const role = str(values, 'role') ?? 'agent';
      if (role !== 'owner' && role !== 'admin' && role !== 'agent') throw new UsageError('--role must be owner, admin or agent.');
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const password = str(values, 'password');
      const created = await services.agents.create(ws.id, {
        email,
        name: str(values, 'name') ?? email,
        role,
        ...(password !== undefined && { password }),
      });
      io.out(`Created agent ${created.agent.email} (${created.agent.role}) in "${ws.name}"`);
      if (password === undefined) io.out(`  password  ${created.password}   (shown once)`);
    },
  },
  'agent:invite': {
    group: 'Agents',
    args: ['siteKey', 'email'],
    options: { role: { type: 'string' } },
    optionsUsage: '[--role agent|admin]',
    summary: 'print a single-use invitation link to the console (valid 7 days); the invitee picks a name and password',
    async run({ services, io, args, values }) {
      const role = str(values, 'role') ?? 'agent';
      if (role !== 'admin' && role !== 'agent') throw new UsageError('--role must be agent or admin.');
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const invite = await services.agents.createInvite(ws.id, { email: args[1]!, role, invitedBy: null });
      io.out(`Invitation for ${invite.email} (${invite.role}) to "${ws.name}", single use, until ${invite.expiresAt.toISOString()}:`);
      io.out(`  ${inviteUrl(services, invite.token)}`);
    },
  },
  'agent:list': {
    group: 'Agents',
    args: ['siteKey'],
    summary: "list a workspace's agents",
    async run({ services, io, args }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const agents = await services.agents.list(ws.id);
      if (!agents.length) io.out('No agents.');
      for (const a of agents) io.out(`${a.email}  ${a.role}  ${a.name}`);
    },
  },
  'agent:remove': {
    group: 'Agents',
    args: ['siteKey', 'email'],
    summary: 'delete an agent; their sessions end and their open connections close',
    async run({ services, io, args }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const agent = await services.agents.remove(ws.id, args[1]!);
      io.out(`Removed agent ${agent.email} from "${ws.name}".`);
    },
  },
  'agent:password': {
    group: 'Agents',
    args: ['siteKey', 'email'],
    options: { password: { type: 'string' } },
    optionsUsage: '[--password <pw>]',
    summary: "set a new password (generated unless given) and revoke the agent's sessions",
    async run({ services, io, args, values }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const password = str(values, 'password');
      const reset = await services.agents.resetPassword(ws.id, args[1]!, password);
      io.out(`Password of ${reset.agent.email} changed; their sessions are revoked.`);
      if (password === undefined) io.out(`  password  ${reset.password}   (shown once)`);
    },
  },
  'kb:export': {
    group: 'Assistant',
    args: ['siteKey', 'dir'],
    summary: "write the workspace's knowledge base (defaults with its own articles) as <dir>/<en|es>/<slug>.md",
    async run({ services, io, args }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const dir = path.resolve(args[1]!);
      const n = await services.assistant.exportKb(ws.id, dir);
      io.out(`Wrote ${n} articles of "${ws.name}" to ${dir}.`);
    },
  },
  'kb:import': {
    group: 'Assistant',
    args: ['siteKey', 'dir'],
    summary: 'import <dir>/<en|es>/<slug>.md as the workspace\'s own articles (all checked first; nothing is written if one is wrong)',
    async run({ services, io, args }) {
      const ws = await services.workspaces.resolveSiteKey(args[0]!);
      const dir = path.resolve(args[1]!);
      try {
        const r = await services.assistant.importKb(ws.id, dir);
        io.out(`Imported into "${ws.name}": ${r.created} new, ${r.updated} changed, ${r.unchanged} unchanged. The assistant uses them now.`);
      } catch (err) {
        if (err instanceof KbValidationError) for (const i of err.kbIssues) io.err(`  ${i.where}: [${i.code}] ${i.message}`);
        throw err;
      }
    },
  },
  'ai:report': {
    group: 'Assistant',
    args: [],
    optionalArg: 'siteKey',
    options: { since: { type: 'string' }, top: { type: 'string' } },
    optionsUsage: '[--since 7d] [--top 10]',
    summary: 'how the assistant did: answered/deflected, helpful and handoff rates, top unanswered questions (every workspace without a site key)',
    async run({ services, io, args, values }) {
      const since = str(values, 'since') ?? '7d';
      const ms = parseDuration(since);
      if (ms === null) throw new UsageError('--since takes a duration like 30m, 24h, 7d or 4w.');
      const top = Number(str(values, 'top') ?? '10');
      if (!Number.isInteger(top) || top < 1 || top > 100) throw new UsageError('--top must be a whole number from 1 to 100.');
      const workspaces = args[0] ? [await services.workspaces.resolveSiteKey(args[0])] : await services.workspaces.list();
      if (!workspaces.length) io.out('No workspaces yet: create one with workspace:create.');
      const from = new Date(Date.now() - ms);
      const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
      for (const [i, ws] of workspaces.entries()) {
        if (i) io.out('');
        const r = await services.assistant.report(ws.id, { from, top });
        io.out(`Assistant report for "${ws.name}" (${ws.siteKey}), ${r.from.toISOString()} → ${r.to.toISOString()}`);
        io.out(`  questions       ${r.questions}`);
        io.out(`  answered        ${pct(r.answeredRate)}   deflected ${pct(r.deflectedRate)} (answered, no person afterwards)`);
        io.out(`  helpful         ${pct(r.helpfulRate)}   (${r.votes.up} up, ${r.votes.down} down)`);
        io.out(`  handoff         ${pct(r.handoffRate)}`);
        io.out(`  routes          ${Object.entries(r.byRoute).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}`);
        io.out(`  engines         ${Object.entries(r.byEngine).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}${r.fallbacks ? ` (${r.fallbacks} fallbacks)` : ''}`);
        io.out(`  latency         p50 ${r.latencyMs.p50 ?? '—'} ms, p95 ${r.latencyMs.p95 ?? '—'} ms`);
        io.out(r.topUnanswered.length ? '  top unanswered' : '  top unanswered  none');
        for (const q of r.topUnanswered) io.out(`    ${String(q.count).padStart(4)}×  ${JSON.stringify(q.question)}`);
      }
    },
  },
};

function describeKeys(ws: Workspace, io: AdminIO): void {
  io.out(`  site key  ${ws.siteKey}   (public: goes in the script tag)`);
  io.out(`  secret    ${ws.secret}   (private: signs identity tokens and payment events)`);
  if (ws.previousSecret && ws.previousSecretExpiresAt && ws.previousSecretExpiresAt.getTime() > Date.now()) {
    io.out(`  previous  ${ws.previousSecret}   (still accepted until ${ws.previousSecretExpiresAt.toISOString()})`);
  }
  io.out(`  origins   ${ws.allowedOrigins.join(', ') || '(none yet: add one with origin:add)'}`);
}

function describeSettings(ws: Workspace, io: AdminIO): void {
  const s = workspaceSettings(ws);
  const text = (t: string | null) => (t === null ? '(none)' : JSON.stringify(t));
  io.out(`  widget      name "${ws.name}", color ${s.color}, position ${s.position}, locale ${s.locale}, theme ${s.theme}`);
  io.out(`  greeting    ${text(s.greeting)}`);
  io.out(`  reply time  ${text(s.replyTime)}`);
}

const GROUPS = ['Workspaces', 'Allowed origins', 'Agents', 'Assistant'] as const;

function usageOf(name: string, c: Command): string {
  return [name, ...c.args.map((a) => `<${a}>`), ...(c.optionalArg ? [`[${c.optionalArg}]`] : []), ...(c.optionsUsage ? [c.optionsUsage] : [])].join(' ');
}

export const HELP = [
  'Usage: npm run verychat -- <command> [arguments] [options]',
  '',
  ...GROUPS.flatMap((group) => [
    group,
    ...Object.entries(COMMANDS)
      .filter(([, c]) => c.group === group)
      .flatMap(([name, c]) => [`  ${usageOf(name, c)}`, `      ${c.summary}`]),
    '',
  ]),
  'npm run verychat -- <command> --help prints one command.',
  '',
  'The database is the one the server uses: DATABASE_URL, or the embedded one in DATA_DIR. While a server',
  'runs on the embedded database, commands run inside it (through DATA_DIR/admin.json), so its caches learn',
  'of the change at once. With DATABASE_URL, servers learn of it at once through REDIS_URL when set, else within',
  'a few seconds (their caches expire). Exit codes: 0 done, 1 the command failed, 2 not understood.',
].join('\n');

export type ParsedAdmin = { kind: 'help'; text: string } | { kind: 'command'; name: string; args: string[]; values: Values };

/** Understands a command line without touching any database: help and usage errors need none. */
export function parseAdminArgs(argv: string[]): ParsedAdmin {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { kind: 'help', text: HELP };
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    // node:util's messages name the option; its advice about '--' does not apply to these commands.
    throw new UsageError(`${(err as Error).message.split('. ')[0]!.replace(/\.$/, '')} (${name}).`);
  }
  if (parsed.values.help) return { kind: 'help', text: `Usage: npm run verychat -- ${usageOf(name, command)}\n  ${command.summary}` };
  const args = parsed.positionals;
  const most = command.args.length + (command.optionalArg ? 1 : 0);
  if (args.length < command.args.length || args.length > most) {
    const missing = command.args.slice(args.length).map((a) => `<${a}>`);
    throw new UsageError(
      missing.length ? `${name} needs ${missing.join(' ')}.` : `${name} takes ${most === command.args.length ? most : `at most ${most}`} argument(s), got ${args.length}.`,
    );
  }
  if (args.some((a) => a.trim() === '')) throw new UsageError(`${name}: arguments may not be empty.`);
  return { kind: 'command', name, args, values: parsed.values };
}

/**
 * Runs one command line and answers its exit code; every outcome, error or not, is written to `io`.
 * Errors carry their code (`Error (SITE_KEY_UNKNOWN): …`) so scripts can tell them apart.
 */
export async function runAdmin(argv: string[], services: Services, io: AdminIO): Promise<number> {
  try {
    const parsed = parseAdminArgs(argv);
    if (parsed.kind === 'help') {
      io.out(parsed.text);
      return EXIT.ok;
    }
    await COMMANDS[parsed.name]!.run({ services, io, args: parsed.args, values: parsed.values });
    return EXIT.ok;
  } catch (err) {
    return reportAdminError(err, io);
  }
}

/** Writes one line about `err` and answers the exit code. Unknown errors keep their message: this is a local operator's tool. */
export function reportAdminError(err: unknown, io: AdminIO): number {
  if (err instanceof UsageError) {
    io.err(`Error: ${err.message} Run npm run verychat -- --help for the commands.`);
    return EXIT.usage;
  }
  const e = err instanceof ZodError ? validationError(err) : err;
  if (e instanceof AppError) io.err(`Error (${e.code}): ${e.message}`);
  else io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
  return EXIT.failed;
}
