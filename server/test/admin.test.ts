// Bootstrap idempotency and the admin CLI, on a real migrated database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../cli/admin.ts';
import { bootstrapDemo, DEMO_AGENT_EMAIL } from '../services/bootstrap.ts';
import { startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

async function admin(...argv: string[]) {
  const lines: string[] = [];
  await runAdmin(argv, (l) => lines.push(l), t.db);
  return lines.join('\n');
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
    await expect(admin('frobnicate')).rejects.toThrow(/Unknown command/);
    expect(await admin()).toContain('Usage: npm run verychat');
  });
});
