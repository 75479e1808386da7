import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';
import { REPO_ROOT } from './paths.ts';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'no error';
}

describe('configuration', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3001, dataDir: '.verychat', publicUrl: 'http://localhost:3001', logLevel: 'info' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.demoOrigins).toEqual(['http://localhost:3001', 'http://127.0.0.1:3001']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).port).toBe(3001);
  });

  it('names the variable and what was expected', () => {
    expect(errorOf({ PORT: 'abc' })).toBe('Invalid configuration: PORT — expected a whole number');
    expect(errorOf({ PORT: '70000' })).toMatch(/^Invalid configuration: PORT — expected a number from 0 to 65535/);
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^Invalid configuration: LOG_LEVEL — expected one of "fatal"/);
    expect(errorOf({ DATABASE_URL: 'mysql://x' })).toBe(
      'Invalid configuration: DATABASE_URL — expected a URL starting with postgres:// or postgresql://',
    );
    expect(errorOf({ REDIS_URL: 'http://x' })).toMatch(/^Invalid configuration: REDIS_URL/);
    expect(errorOf({ REDIS_PREFIX: 'bad prefix!' })).toMatch(/^Invalid configuration: REDIS_PREFIX — expected letters, digits/);
    expect(errorOf({ PUBLIC_URL: 'not a url' })).toMatch(/^Invalid configuration: PUBLIC_URL/);
    expect(errorOf({ ALLOWED_ORIGINS: 'https://a.example, nope' })).toMatch(/^Invalid configuration: ALLOWED_ORIGINS .*"nope"/);
  });

  it('states the range of the variable that is out of it, whichever bound was crossed', () => {
    expect(errorOf({ PORT: '-1' })).toBe('Invalid configuration: PORT — expected a number from 0 to 65535 (no decimals)');
    expect(errorOf({ PORT: '80.5' })).toBe('Invalid configuration: PORT — expected a whole number');
    const multiplier = 'Invalid configuration: RATE_LIMIT_MULTIPLIER — expected a number greater than 0 and at most 10000';
    expect(errorOf({ RATE_LIMIT_MULTIPLIER: '0' })).toBe(multiplier);
    expect(errorOf({ RATE_LIMIT_MULTIPLIER: '20000' })).toBe(multiplier);
    expect(errorOf({ RATE_LIMIT_MULTIPLIER: 'lots' })).toBe('Invalid configuration: RATE_LIMIT_MULTIPLIER — expected a number');
    expect(loadConfig({ RATE_LIMIT_MULTIPLIER: '0.5' }).rateLimitMultiplier).toBe(0.5);
  });

  it('trusts no proxy unless TRUST_PROXY names a hop count or proxy addresses, in production too', () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: 'off' });
    expect(loadConfig({ NODE_ENV: 'production' }).trustProxy).toEqual({ kind: 'off' });
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toEqual({ kind: 'off' });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ kind: 'hops', hops: 2 });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,loopback' }).trustProxy).toEqual({
      kind: 'addresses',
      addresses: ['10.0.0.5', '10.1.0.0/16', 'loopback'],
    });
    const expected = /^Invalid configuration: TRUST_PROXY — expected off, a number of proxy hops \(1–10\), or comma-separated proxy addresses/;
    // "Everyone" is not a proxy: trusting any peer would let clients choose their own address again.
    for (const bad of ['true', 'on', '*', '11', '10.0.0.5,', 'proxy.example', '10.0.0.0/99']) expect(errorOf({ TRUST_PROXY: bad }), bad).toMatch(expected);
  });

  it('keeps the previous secret 24 hours after a rotation unless SECRET_ROTATION_GRACE_HOURS says otherwise', () => {
    expect(loadConfig({}).secretGraceMs).toBe(24 * 3600_000);
    expect(loadConfig({ SECRET_ROTATION_GRACE_HOURS: '0' }).secretGraceMs).toBe(0);
    expect(loadConfig({ SECRET_ROTATION_GRACE_HOURS: '1.5' }).secretGraceMs).toBe(5400_000);
    expect(errorOf({ SECRET_ROTATION_GRACE_HOURS: '721' })).toBe('Invalid configuration: SECRET_ROTATION_GRACE_HOURS — expected a number from 0 to 720');
  });

  it('normalises allowed origins and adds FRONTEND_URL', () => {
    const c = loadConfig({ ALLOWED_ORIGINS: 'HTTPS://Shop.Example/ , http://localhost:5173', FRONTEND_URL: 'https://app.example/path' });
    expect(c.demoOrigins).toEqual(['https://shop.example', 'http://localhost:5173', 'https://app.example']);
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://chat.example.com/' }).publicUrl).toBe('https://chat.example.com');
  });

  it('is documented exactly: .env.example and the README table name every variable read, and no other', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const inExample = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const configSection = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Running on PostgreSQL'));
    const inReadme = [...configSection.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    const expected = [...CONFIG_VARIABLES].sort();
    expect([...new Set(inExample)].sort()).toEqual(expected);
    expect(inReadme.sort()).toEqual(expected);
  });
});
