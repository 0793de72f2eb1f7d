// A user's linked upstream accounts go with the user: deleting through the user admin door (SCIM here; the
// console in test/console/identity-providers.test.ts) removes them beside ending the sessions, so no link names
// a user id that is gone, and the upstream account can be linked again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';
import { BOSS, HOME, homeIdp, startFederationServer, upstreamClient } from './support.ts';

describe('links removed with the user', () => {
  let server: TestServer;

  before(async () => {
    server = await startFederationServer();
  });
  after(async () => server?.close());

  test('SCIM DELETE of a user removes its links; the upstream account can then be linked to another user', async () => {
    const idpId = await homeIdp(server, `Gone-${uniqueSuffix()}`, await upstreamClient(server));
    const home = await tenantOf(server, HOME);
    const [erin, frank] = [await createUser(server, { tenant: HOME }), await createUser(server, { tenant: HOME })];
    const links = server.services.associations;
    assert.ok(await links.link(home.id, idpId, 'erin-upstream', erin.user.id, Date.now()));
    assert.ok(await links.link(home.id, idpId, 'erin-second', erin.user.id, Date.now()));
    assert.ok(await links.link(home.id, idpId, 'frank-upstream', frank.user.id, Date.now()));

    const res = await server.client().request(`/t/${HOME}/scim2/Users/${erin.user.id}`, { method: 'DELETE', auth: BOSS });
    assert.equal(res.status, 204, res.text);
    assert.deepEqual(await links.ofUser(home.id, erin.user.id), []);
    assert.equal(await links.localUserOf(home.id, idpId, 'erin-upstream'), undefined);
    assert.equal((await links.ofUser(home.id, frank.user.id)).length, 1, "another user's link stays");
    assert.ok(await links.link(home.id, idpId, 'erin-upstream', frank.user.id, Date.now()), 'the upstream account is free to link again');
  });
});
