import { describe, expect, it } from 'vitest';
import { isTransient, isTransientStatus, retryDelay } from './retry.ts';

describe('the retry policy', () => {
  it('retries outages and throttling, not refusals', () => {
    for (const code of ['OFFLINE', 'TIMEOUT', 'NETWORK', 'UNAVAILABLE', 'RATE_LIMITED', 'OVERLOADED', 'CONNECTION_LIMIT', 'INTERNAL']) expect(isTransient(code), code).toBe(true);
    for (const code of ['VALIDATION_FAILED', 'AUTH_INVALID', 'AUTH_EXPIRED', 'FORBIDDEN', 'NOT_FOUND', 'ORIGIN_NOT_ALLOWED', 'CONFLICT']) expect(isTransient(code), code).toBe(false);
    expect([429, 500, 502, 503].map(isTransientStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 404, 409, 413].map(isTransientStatus)).toEqual([false, false, false, false, false]);
  });

  it('doubles from the base up to the ceiling, with jitter between half and all of it', () => {
    const low = (a: number) => retryDelay(a, undefined, { baseMs: 100, maxMs: 1000, random: () => 0 });
    const high = (a: number) => retryDelay(a, undefined, { baseMs: 100, maxMs: 1000, random: () => 1 });
    expect([0, 1, 2, 3, 4, 10, 1000].map(high)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect([0, 1, 2].map(low)).toEqual([50, 100, 200]);
  });

  it("waits what the server asked for, within the ceiling", () => {
    expect(retryDelay(0, 2500)).toBe(2500);
    expect(retryDelay(5, 120_000, { maxMs: 30_000 })).toBe(30_000);
  });
});
