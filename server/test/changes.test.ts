// One instance: changes made through the services apply at once to its caches and its open sockets
// (closing the ones no longer allowed, saying why). Two instances behind Redis: cluster-changes.test.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { deletingAWorkspace, mergingAVisitorIntoACustomer, removingAnAgent, removingAnOrigin, rotatingTheSecret, type Cluster } from './changes.support.ts';
import { startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let c: Cluster;
beforeAll(async () => {
  t = await startTestApp();
  c = { admin: t.app.services, a: t.url, b: t.url, open: [] };
});
afterAll(async () => {
  for (const s of c?.open ?? []) s.close();
  await t?.close();
});

describe('changes on one instance', () => {
  it('removing an allowed origin refuses it at once and closes the pages connected from it', () => removingAnOrigin(c));
  it('rotating the secret accepts both until the rotation ends, at once', () => rotatingTheSecret(c));
  it('removing an agent closes their open sockets', () => removingAnAgent(c));
  it('deleting a workspace refuses its site key and closes its sockets', () => deletingAWorkspace(c));
  it('a visitor merged into a customer can no longer write as the visitor', () => mergingAVisitorIntoACustomer(c));
});
