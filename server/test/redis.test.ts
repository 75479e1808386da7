// With REDIS_URL, rate limits are shared by every instance: two servers, one budget.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { needs } from './support/needs.ts';

const REDIS_URL = process.env.REDIS_URL;

needs('redis').describe('rate limits in Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let siteKeyA: string;
  let siteKeyB: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp({ REDIS_URL: REDIS_URL! }), startTestApp({ REDIS_URL: REDIS_URL! })]);
    siteKeyA = (await seedWorkspace(a)).workspace.siteKey;
    siteKeyB = (await seedWorkspace(b)).workspace.siteKey;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('counts login attempts across instances', async () => {
    const email = `guess-${randomUUID()}@shop.example`;
    const attempt = async (t: TestApp, siteKey: string) =>
      (
        await json(
          await fetch(`${t.url}/api/v1/agent/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ siteKey, email, password: 'wrong password' }),
          }),
        )
      ).error.code as string;
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push(await attempt(a, siteKeyA));
    for (let i = 0; i < 6; i++) codes.push(await attempt(b, siteKeyB));
    // 10 per (IP, email) in total: instance B refuses once A and B together used them up.
    expect(codes.filter((c) => c === 'AUTH_INVALID')).toHaveLength(10);
    expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
});
