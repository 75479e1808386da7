// Bootstrap idempotency and the admin commands, on a real migrated database, through the services a running
// server uses (the CLI as a process, and through a running server's admin channel: admin-cli.test.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../cli/admin-commands.ts';
import { bootstrapDemo, DEMO_AGENT_EMAIL, lanOrigins, syncDemoLanOrigins } from '../services/bootstrap.ts';
import { workspaceSettings } from '../services/workspaces.service.ts';
import { startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

/** Runs one command line; resolves with its output, or rejects with its error lines when it exits non-zero. */
async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, t.app.services, { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (code !== 0) throw Object.assign(new Error(err.join('\n')), { exitCode: code });
  return out.join('\n');
}

describe('bootstrap', () => {
  it('creates one demo workspace and agent, even when started twice at once, and reuses them later', async () => {
    const origins = ['http://localhost:3001'];
    const [a, b] = await Promise.all([
      bootstrapDemo(t.db.prisma, t.app.services, { origins }),
      bootstrapDemo(t.db.prisma, t.app.services, { origins }),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.workspace.id).toBe(b.workspace.id);
    const created = a.created ? a : b;
    expect(created.agent?.email).toBe(DEMO_AGENT_EMAIL);

    const later = await bootstrapDemo(t.db.prisma, t.app.services, { origins });
    expect(later).toMatchObject({ created: false, workspace: { id: a.workspace.id } });
    expect(later.agent).toBeUndefined();
    expect(await t.db.prisma.workspace.count()).toBe(1);
    expect(await t.db.prisma.agent.count()).toBe(1);
    expect(created.workspace.allowedOrigins).toEqual(origins);

    // The printed password is the real one.
    const login = await t.app.services.agents.login(a.workspace.id, DEMO_AGENT_EMAIL, created.agent!.password);
    expect(login.token).toMatch(/^vca_/);
  });
});

describe('the demo on the local network', () => {
  it('allows this start’s LAN addresses and drops the last start’s, never the merchant’s own origins', async () => {
    const nic = (address: string, internal = false) => ({ address, internal, family: 'IPv4' as const, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null });
    const interfaces = { lo: [nic('127.0.0.1', true)], eth0: [nic('192.168.1.20')], wlan0: [nic('10.0.0.7'), { ...nic('fe80::1'), family: 'IPv6' as const, scopeid: 0 }] };
    expect(lanOrigins('0.0.0.0', 3000, interfaces)).toEqual(['http://192.168.1.20:3000', 'http://10.0.0.7:3000']);
    expect(lanOrigins('10.0.0.7', 3000, interfaces)).toEqual(['http://10.0.0.7:3000']);
    expect(lanOrigins('127.0.0.1', 3000, interfaces)).toEqual([]);

    const ws = await t.app.services.workspaces.create({ name: 'Demo on Wi-Fi', allowedOrigins: ['http://localhost:3000', 'https://shop.example'] });
    const origins = async () => (await t.db.prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } })).allowedOrigins;
    await syncDemoLanOrigins(t.db.prisma, t.app.services, ws.id, ['http://192.168.1.20:3000', 'http://10.0.0.7:3000']);
    expect(await origins()).toEqual(['http://localhost:3000', 'https://shop.example', 'http://192.168.1.20:3000', 'http://10.0.0.7:3000']);
    // The next start, on another network: the old addresses go, the merchant's origins stay.
    await syncDemoLanOrigins(t.db.prisma, t.app.services, ws.id, ['http://172.16.0.9:3000']);
    expect(await origins()).toEqual(['http://localhost:3000', 'https://shop.example', 'http://172.16.0.9:3000']);
    expect(workspaceSettings(await t.db.prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } })).lanOrigins).toEqual(['http://172.16.0.9:3000']);
  });
});

describe('admin CLI', () => {
  it('creates and lists workspaces, manages origins and rotates the secret', async () => {
    const out = await admin('workspace:create', '--name', 'Acme', '--origin', 'https://acme.example', '--origin', 'https://*.acme.example');
    const siteKey = /site key\s+(pk_\S+)/.exec(out)![1]!;
    const secret = /secret\s+(sk_\S+)/.exec(out)![1]!;
    expect(await admin('workspace:list')).toContain(`${siteKey}  Acme  origins: https://acme.example, https://*.acme.example`);

    await admin('origin:add', siteKey, 'HTTPS://New.Example/');
    let ws = await t.db.prisma.workspace.findUniqueOrThrow({ where: { siteKey } });
    expect(ws.allowedOrigins).toEqual(['https://acme.example', 'https://*.acme.example', 'https://new.example']);
    await admin('origin:remove', siteKey, 'https://acme.example');
    ws = await t.db.prisma.workspace.findUniqueOrThrow({ where: { siteKey } });
    expect(ws.allowedOrigins).toEqual(['https://*.acme.example', 'https://new.example']);
    await expect(admin('origin:add', siteKey, 'not an origin')).rejects.toThrow(/not an origin/);
    await expect(admin('origin:remove', siteKey, 'https://never.example')).rejects.toThrow(/not an allowed origin/);

    const rotated = await admin('workspace:rotate-secret', siteKey);
    const newSecret = /: (sk_\S+)/.exec(rotated)![1]!;
    expect(newSecret).not.toBe(secret);
    expect((await t.db.prisma.workspace.findUniqueOrThrow({ where: { siteKey } })).secret).toBe(newSecret);
  });

  it('creates agents, refuses duplicates, and resets passwords revoking sessions', async () => {
    const out = await admin('workspace:create', '--name', 'Agents Inc');
    const siteKey = /site key\s+(pk_\S+)/.exec(out)![1]!;
    const created = await admin('agent:create', siteKey, '--email', 'Bob@Agents.example', '--name', 'Bob', '--role', 'admin');
    const password = /password\s+(\S+)/.exec(created)![1]!;
    expect(await admin('agent:list', siteKey)).toContain('bob@agents.example  admin  Bob');
    await expect(admin('agent:create', siteKey, '--email', 'bob@agents.example')).rejects.toThrow(/already exists/);
    await expect(admin('agent:create', siteKey, '--email', 'x@y.z', '--role', 'god')).rejects.toThrow(/--role/);

    const ws = await t.app.services.workspaces.resolveSiteKey(siteKey);
    const { token } = await t.app.services.agents.login(ws.id, 'bob@agents.example', password);
    const reset = await admin('agent:password', siteKey, 'bob@agents.example');
    const newPassword = /password\s+(\S+)/.exec(reset)![1]!;
    await expect(t.app.services.agents.authenticate(token)).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(t.app.services.agents.login(ws.id, 'bob@agents.example', password)).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(t.app.services.agents.login(ws.id, 'bob@agents.example', newPassword)).resolves.toBeTruthy();
  });

  it('prints help and fails on an unknown command', async () => {
    await expect(admin('frobnicate')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/Unknown command/) });
    expect(await admin()).toContain('Usage: npm run verychat');
    expect(await admin('--help')).toContain('workspace:settings <siteKey>');
    expect(await admin('agent:remove', '--help')).toBe(
      "Usage: npm run verychat -- agent:remove <siteKey> <email>\n  delete an agent; their sessions end and their open connections close",
    );
    await expect(admin('origin:add', 'pk_x')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/needs <origin>/) });
    await expect(admin('workspace:list', '--bogus')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--bogus/) });
  });

  it('renames, sets the widget settings, and shows them', async () => {
    const siteKey = /site key\s+(pk_\S+)/.exec(await admin('workspace:create', '--name', 'Look Inc'))![1]!;
    await admin('workspace:rename', siteKey, 'Look & Feel');
    const shown = await admin(
      'workspace:settings', siteKey,
      '--color', '#112233', '--position', 'left', '--locale', 'es', '--theme', 'dark',
      '--greeting', '¡Hola!', '--reply-time', 'Usually within an hour',
    );
    expect(shown).toContain('name "Look & Feel", color #112233, position left, locale es, theme dark');
    expect(shown).toContain('greeting    "¡Hola!"');
    expect(shown).toContain('reply time  "Usually within an hour"');
    let ws = await t.app.services.workspaces.resolveSiteKey(siteKey);
    expect(ws.name).toBe('Look & Feel');

    // Empty texts remove them; a name given with settings renames too; only what is given changes.
    await admin('workspace:settings', siteKey, '--greeting', '', '--reply-time', '', '--name', 'Look');
    ws = await t.app.services.workspaces.resolveSiteKey(siteKey);
    expect(ws.name).toBe('Look');
    expect(ws.settings).toMatchObject({ greeting: null, replyTime: null, color: '#112233', theme: 'dark' });

    await expect(admin('workspace:settings', siteKey, '--color', 'red')).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/VALIDATION_FAILED.*color/) });
    await expect(admin('workspace:settings', siteKey, '--theme', 'neon')).rejects.toMatchObject({ exitCode: 1 });
    await expect(admin('workspace:rename', siteKey, ' ')).rejects.toMatchObject({ exitCode: 2 });
    expect(await admin('workspace:settings', siteKey)).toContain('color #112233');
  });

  it('removes agents and deletes workspaces (only with --yes)', async () => {
    const siteKey = /site key\s+(pk_\S+)/.exec(await admin('workspace:create', '--name', 'Doomed'))![1]!;
    await admin('agent:create', siteKey, '--email', 'ana@doomed.example', '--password', 'a long enough password');
    expect(await admin('agent:remove', siteKey, 'ANA@doomed.example')).toBe('Removed agent ana@doomed.example from "Doomed".');
    expect(await admin('agent:list', siteKey)).toBe('No agents.');
    await expect(admin('agent:remove', siteKey, 'ana@doomed.example')).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/NOT_FOUND/) });

    await expect(admin('workspace:delete', siteKey)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/--yes/) });
    expect(await t.db.prisma.workspace.count({ where: { siteKey } })).toBe(1);
    expect(await admin('workspace:delete', siteKey, '--yes')).toContain('Deleted workspace "Doomed"');
    expect(await t.db.prisma.workspace.count({ where: { siteKey } })).toBe(0);
    await expect(admin('workspace:show', siteKey)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/SITE_KEY_UNKNOWN/) });
  });

  it('rotates with a grace period, or none, and ends a rotation', async () => {
    const siteKey = /site key\s+(pk_\S+)/.exec(await admin('workspace:create', '--name', 'Rotating'))![1]!;
    const rotated = await admin('workspace:rotate-secret', siteKey, '--grace-hours', '2');
    expect(rotated).toMatch(/previous secret is accepted until/);
    expect(await admin('workspace:show', siteKey)).toMatch(/previous\s+sk_\S+\s+\(still accepted until/);
    await admin('workspace:end-rotation', siteKey);
    expect(await admin('workspace:show', siteKey)).not.toContain('previous');
    await expect(admin('workspace:end-rotation', siteKey)).rejects.toMatchObject({ exitCode: 1 });
    expect(await admin('workspace:rotate-secret', siteKey, '--grace-hours', '0')).toContain('refused from now on');
    await expect(admin('workspace:rotate-secret', siteKey, '--grace-hours', 'soon')).rejects.toMatchObject({ exitCode: 2 });
  });

  it('exports and imports the knowledge base as markdown, and reports on the assistant with or without a site key', async () => {
    const siteKey = /site key\s+(pk_\S+)/.exec(await admin('workspace:create', '--name', 'Helpful'))![1]!;
    const ws = await t.db.prisma.workspace.findUniqueOrThrow({ where: { siteKey } });
    const dir = await mkdtemp(path.join(tmpdir(), 'verychat-kb-'));
    try {
      const exported = await admin('kb:export', siteKey, dir);
      const count = Number(/Wrote (\d+) articles/.exec(exported)![1]);
      expect(count).toBe(t.app.services.assistant.kb.defaults().length);
      // A merchant edits one article in their own words and imports the folder back.
      const file = path.join(dir, 'en', 'refund-how-long.md');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/^title: .*$/m, 'title: How long does a Helpful refund take?'));
      expect(await admin('kb:import', siteKey, dir)).toMatch(/: 0 new, 1 changed, \d+ unchanged/);
      const own = await t.db.prisma.faqArticle.findMany({ where: { workspaceId: ws.id }, select: { slug: true, title: true } });
      expect(own).toEqual([{ slug: 'refund-how-long', title: 'How long does a Helpful refund take?' }]);
      // A broken file: every issue named, nothing written.
      await writeFile(path.join(dir, 'es', 'roto.md'), '---\nslug: roto\n---\nno front matter fields');
      await expect(admin('kb:import', siteKey, dir)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/roto/) });
      expect(await t.db.prisma.faqArticle.count({ where: { workspaceId: ws.id } })).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const record = (queryId: string, route: string, question: string) =>
      t.app.services.assistant.interactions.record({
        workspaceId: ws.id, queryId, question, answer: '…', language: 'en', route: route as never,
        articles: [], paymentTools: [], paymentIds: [], confidence: 0.5, engine: 'embedded', latencyMs: 12,
      });
    await record('q1', 'faq', 'how long do refunds take');
    await record('q2', 'not-sure', 'can i pay my taxes');
    await record('q3', 'not-sure', 'can i pay my taxes');
    const one = await admin('ai:report', siteKey, '--since', '1h');
    expect(one).toContain('Assistant report for "Helpful"');
    expect(one).toMatch(/questions\s+3\n/);
    expect(one).toMatch(/2×\s+"can i pay my taxes"/);
    // Without a site key: every workspace, this one among them.
    const all = await admin('ai:report', '--since', '7d');
    expect(all.match(/Assistant report for /g)!.length).toBe(await t.db.prisma.workspace.count());
    expect(all).toContain(`"Helpful" (${siteKey})`);
    await expect(admin('ai:report', siteKey, 'extra')).rejects.toMatchObject({ exitCode: 2 });
    await expect(admin('ai:report', '--since', 'soon')).rejects.toMatchObject({ exitCode: 2 });
  });
});
