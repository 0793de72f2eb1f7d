// A second tenant for tests, made as the tenants API makes them.
import { createTenant } from '../../src/provisioning.ts';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import type { TestServer } from './server.ts';

export async function provisionTenant(server: TestServer, domain: string, admin = { username: 'boss', password: 'a long password' }): Promise<Tenant> {
  return createTenant(server.services, domain, admin);
}
