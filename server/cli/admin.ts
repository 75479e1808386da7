// Admin CLI for real deployments: `npm run verychat -- <command> [args]`.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { createServices } from '../services/index.ts';

const HELP = `Usage: npm run verychat -- <command> [options]

Workspaces
  workspace:create --name <name> [--origin <url>]...   create a workspace; prints its site key and secret
  workspace:list                                        list workspaces
  workspace:show <siteKey>                              print a workspace's site key, secret and origins (e.g. the demo's)
  workspace:rotate-secret <siteKey>                     new signing secret (old tokens and signatures stop working)
  origin:add <siteKey> <origin>                         allow an origin (https://shop.example or https://*.shop.example)
  origin:remove <siteKey> <origin>                      stop allowing an origin

Agents
  agent:create <siteKey> --email <email> [--name <name>] [--role owner|admin|agent] [--password <pw>]
  agent:list <siteKey>
  agent:password <siteKey> <email> [--password <pw>]    set a new password and revoke the agent's sessions

The database is the one the server uses (DATABASE_URL, or the embedded one in DATA_DIR;
stop the server first when using the embedded database: only one process may open it).`;

export async function runAdmin(argv: string[], out: (line: string) => void, db: Database): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  const services = createServices({ prisma: db.prisma });
  const need = (i: number, what: string) => {
    const v = args[i];
    if (!v) throw new AppError('VALIDATION_FAILED', `Missing ${what}. Run with no command for help.`);
    return v;
  };

  switch (command) {
    case 'workspace:create': {
      if (!values.name) throw new AppError('VALIDATION_FAILED', 'Missing --name.');
      const ws = await services.workspaces.create({ name: values.name, allowedOrigins: values.origin ?? [] });
      out(`Created workspace "${ws.name}"`);
      out(`  site key  ${ws.siteKey}   (public: goes in the script tag)`);
      out(`  secret    ${ws.secret}   (private: signs identity tokens and payment events)`);
      out(`  origins   ${ws.allowedOrigins.join(', ') || '(none yet: add one with origin:add)'}`);
      return;
    }
    case 'workspace:list': {
      const list = await services.workspaces.list();
      if (!list.length) out('No workspaces.');
      for (const ws of list) out(`${ws.siteKey}  ${ws.name}  origins: ${ws.allowedOrigins.join(', ') || '(none)'}`);
      return;
    }
    case 'workspace:show': {
      const ws = await services.workspaces.resolveSiteKey(need(0, 'site key'));
      out(`Workspace "${ws.name}"`);
      out(`  site key  ${ws.siteKey}   (public: goes in the script tag)`);
      out(`  secret    ${ws.secret}   (private: signs identity tokens and payment events)`);
      out(`  origins   ${ws.allowedOrigins.join(', ') || '(none yet: add one with origin:add)'}`);
      return;
    }
    case 'workspace:rotate-secret': {
      const ws = await services.workspaces.rotateSecret(need(0, 'site key'));
      out(`New secret for "${ws.name}": ${ws.secret}`);
      out('Update your backend now: tokens and payment events signed with the old secret are refused.');
      return;
    }
    case 'origin:add': {
      const ws = await services.workspaces.addOrigin(need(0, 'site key'), need(1, 'origin'));
      out(`Allowed origins of "${ws.name}": ${ws.allowedOrigins.join(', ')}`);
      return;
    }
    case 'origin:remove': {
      const ws = await services.workspaces.removeOrigin(need(0, 'site key'), need(1, 'origin'));
      out(`Allowed origins of "${ws.name}": ${ws.allowedOrigins.join(', ') || '(none)'}`);
      return;
    }
    case 'agent:create': {
      const ws = await services.workspaces.resolveSiteKey(need(0, 'site key'));
      if (!values.email) throw new AppError('VALIDATION_FAILED', 'Missing --email.');
      const role = values.role ?? 'agent';
      if (role !== 'owner' && role !== 'admin' && role !== 'agent') {
        throw new AppError('VALIDATION_FAILED', '--role must be owner, admin or agent.');
      }
      const { agent, password } = await services.agents.create(ws.id, {
        email: values.email,
        name: values.name ?? values.email,
        role,
        ...(values.password !== undefined && { password: values.password }),
      });
      out(`Created agent ${agent.email} (${agent.role}) in "${ws.name}"`);
      if (!values.password) out(`  password  ${password}   (shown once)`);
      return;
    }
    case 'agent:list': {
      const ws = await services.workspaces.resolveSiteKey(need(0, 'site key'));
      for (const a of await services.agents.list(ws.id)) out(`${a.email}  ${a.role}  ${a.name}`);
      return;
    }
    case 'agent:password': {
      const ws = await services.workspaces.resolveSiteKey(need(0, 'site key'));
      const { agent, password } = await services.agents.resetPassword(ws.id, need(1, 'email'), values.password);
      out(`Password of ${agent.email} changed; their sessions are revoked.`);
      if (!values.password) out(`  password  ${password}   (shown once)`);
      return;
    }
    default:
      out(HELP);
      if (command && command !== 'help') throw new AppError('VALIDATION_FAILED', `Unknown command "${command}".`);
  }
}

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate();
    await runAdmin(process.argv.slice(2), (l) => console.log(l), db);
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
