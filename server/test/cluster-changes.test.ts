// Two server processes on one PostgreSQL and Redis, changed from a third process the way the admin CLI
// does (its own services, with the Redis invalidation bus): every change reaches both at once, caches and
// open sockets alike, instead of after the caches' lifetime.
import { afterAll, beforeAll, it } from 'vitest';
import { deletingAWorkspace, mergingAVisitorIntoACustomer, removingAnAgent, removingAnOrigin, rotatingTheSecret, type Cluster } from './changes.support.ts';
import { startTwoInstances, type TwoInstances } from './support/cluster.ts';
import { needs } from './support/needs.ts';

needs('postgres', 'redis').describe('changes across two instances behind Redis', () => {
  let two: TwoInstances | undefined;
  let c: Cluster;

  beforeAll(async () => {
    two = await startTwoInstances();
    c = { admin: two.admin, a: two.a, b: two.b, open: [] };
  }, 120_000);
  afterAll(async () => {
    for (const s of c?.open ?? []) s.close();
    await two?.stop();
  });

  it('removing an allowed origin: refused by both, pages connected from it closed', () => removingAnOrigin(c));
  it('rotating the secret: both accept either secret until the rotation ends, then only the new one', () => rotatingTheSecret(c));
  it('removing an agent: their sockets on the other instance close', () => removingAnAgent(c));
  it('deleting a workspace: both refuse its site key and close its sockets', () => deletingAWorkspace(c));
  it('merging a visitor into a customer on one instance: the other forgets the visitor was a member', () => mergingAVisitorIntoACustomer(c));
});
