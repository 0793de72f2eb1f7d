// The admin use-cases on secondary user stores added at run time: list (with the ones deployment.toml declares,
// read-only), add, update, remove, test a connection; and the live side: each node checks a tenant's
// definitions at most every CHECK_TTL_MS (one small query through the bounded cache) and rebuilds that tenant's
// stores in the registry when they changed, so a change made on one node reaches every node within that bound.
// Every change is audited with the admin as actor. Removing a store ends its users' SSO sessions and removes
// what Portcullis kept for them (identity claims, TOTP credentials, lock state): their ids (DOMAIN:raw id) could
// otherwise be inherited by the users of a different store added later under the same domain.
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import type { StoreDefinition, StoreDefinitionStore } from './store-definitions.ts';
import { checkProperties, type Secrets, type Settings, type StoreType } from './store-properties.ts';
import type { AdminRequest } from './user-admin.ts';
import type { StoreHealth, UserStore } from './user-store.ts';
import type { UserStoreRegistry } from './user-stores.ts';

/** How stale a node's view of a tenant's stores may be (the TOTP settings use the same 5 s). */
export const CHECK_TTL_MS = 5_000;

type TenantRef = { id: string; domain: string };

export interface StoreInput {
  /** The store domain (WSO2's `name`). */
  name: string;
  type: StoreType;
  /** The type's read-only default (WSO2's read-only LDAP manager); a ReadOnly property wins. */
  readOnly: boolean;
  description: string;
  properties: readonly { name: string; value: unknown }[];
}

/** A tenant's store as the API and the console show it. */
export interface StoreSummary {
  domain: string;
  type: StoreType;
  readOnly: boolean;
  description: string;
  source: 'api' | 'deployment.toml';
  definition?: StoreDefinition;
}

export interface StoreDefinitionDeps {
  db: Kysely<Database>;
  definitions: StoreDefinitionStore;
  registry: UserStoreRegistry;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  /** Builds a live store from validated settings (declared-stores.ts's storeOfDeclared). */
  build(domain: string, tenantDomain: string, type: StoreType, settings: Settings, secrets: Secrets): UserStore;
  /** The stores deployment.toml declares for a tenant domain. */
  declared(tenantDomain: string): { domain: string; type: StoreType; readOnly: boolean }[];
  /** Ends every SSO session of a user (SsoSessionStore.removeForUser). */
  endSessions(userId: string): Promise<void>;
}

export class StoreDefinitionService {
  private readonly checks: BoundedCache<string, string>;
  private readonly rebuilding = new Map<string, Promise<void>>();
  /** Which definition (id:version) each live store was built from, so unchanged stores are kept across rebuilds. */
  private readonly builtFrom = new WeakMap<UserStore, string>();

  constructor(private readonly deps: StoreDefinitionDeps) {
    // One entry per tenant, bounded as the tenant cache is (tenant-service.ts).
    this.checks = new BoundedCache({ max: 2000, ttlMs: CHECK_TTL_MS, clock: deps.clock });
    deps.registry.useSource((tenant) => this.sync(tenant));
  }

  /** Brings the tenant's live stores up to date with its definitions (cached check; rebuild only on change). */
  async sync(tenant: TenantRef): Promise<void> {
    const fingerprint = await this.checks.get(tenant.id, () => this.deps.definitions.fingerprint(tenant.id));
    if ((this.deps.registry.definedOf(tenant.id)?.fingerprint ?? '') === fingerprint) return;
    const running = this.rebuilding.get(tenant.id) ?? this.rebuild(tenant).finally(() => this.rebuilding.delete(tenant.id));
    this.rebuilding.set(tenant.id, running);
    await running;
  }

  private async rebuild(tenant: TenantRef): Promise<void> {
    const definitions = await this.deps.definitions.list(tenant.id);
    const current = this.deps.registry.definedOf(tenant.id)?.stores ?? [];
    const stores: UserStore[] = [];
    for (const def of definitions) {
      const key = `${def.id}:${def.version}`;
      const kept = current.find((s) => this.builtFrom.get(s) === key);
      if (kept) {
        stores.push(kept);
        continue;
      }
      const store = this.deps.build(def.domain, tenant.domain, def.type, def.settings, def.secrets);
      this.builtFrom.set(store, key);
      stores.push(store);
    }
    const fingerprint = definitions.map((d) => `${d.id}:${d.version}`).join(',');
    this.deps.registry.replaceDefined(tenant.id, { tenantDomain: tenant.domain, fingerprint, stores });
  }

  /** After a change on this node: take effect here at once (other nodes within CHECK_TTL_MS). */
  private async refresh(tenant: TenantRef): Promise<void> {
    this.checks.delete(tenant.id);
    await this.sync(tenant);
  }

  /** Declared stores first (read-only here), then the ones added at run time, in lookup order. */
  async list(tenant: TenantRef): Promise<StoreSummary[]> {
    const declared = this.deps.declared(tenant.domain).map((d) => ({ ...d, description: '', source: 'deployment.toml' as const }));
    const defined = (await this.deps.definitions.list(tenant.id)).map((d) => ({ domain: d.domain, type: d.type, readOnly: d.settings.read_only === true, description: d.description, source: 'api' as const, definition: d }));
    return [...declared, ...defined];
  }

  /** One store by domain; USR-40402 when the tenant has none. */
  async get(tenant: TenantRef, domain: string): Promise<StoreSummary> {
    const found = (await this.list(tenant)).find((s) => s.domain === domain.toUpperCase());
    if (!found) throw new AppError('USR-40402');
    return found;
  }

  /** The live store for a domain (health on the console), if this node runs it. */
  liveStore(tenant: TenantRef, domain: string): UserStore | undefined {
    return this.deps.registry.storesOf(tenant.id).find((s) => s.domain === domain);
  }

  async add(req: AdminRequest, input: StoreInput): Promise<StoreDefinition> {
    this.refuseTaken(req.tenant, input.name.toUpperCase());
    const checked = checkProperties({ domain: input.name, type: input.type, readOnly: input.readOnly, properties: input.properties });
    const created = await this.deps.definitions.insert({ tenantId: req.tenant.id, domain: checked.domain, type: input.type, description: input.description, settings: checked.settings, secrets: checked.secrets }, this.deps.clock.now());
    if (!created) throw new AppError('USR-40903', { description: `The tenant already has a user store named ${checked.domain}.` });
    await this.audit(req, 'userstore.added', created.domain);
    await this.refresh(req.tenant);
    return created;
  }

  /** Replaces a store's settings; a secret the input leaves out (or sends back masked) keeps its value. */
  async update(req: AdminRequest, domain: string, input: StoreInput): Promise<StoreDefinition> {
    const current = await this.editable(req.tenant, domain);
    if (input.name.toUpperCase() !== current.domain) throw new AppError('USR-40006', { description: 'name: a store cannot be renamed; add one under the new name and delete this one.' });
    const checked = checkProperties({ domain: current.domain, type: input.type, readOnly: input.readOnly, properties: input.properties }, input.type === current.type ? current.secrets : {});
    const updated = await this.deps.definitions.update(current, { description: input.description, settings: checked.settings, secrets: checked.secrets }, this.deps.clock.now());
    if (!updated) throw new AppError('PCS-40900', { description: 'The user store was changed or removed meanwhile; read it again.' });
    await this.audit(req, 'userstore.updated', current.domain);
    await this.refresh(req.tenant);
    return updated;
  }

  async remove(req: AdminRequest, domain: string): Promise<void> {
    const current = await this.editable(req.tenant, domain);
    if (!(await this.deps.definitions.delete(current))) throw new AppError('USR-40402');
    await this.forgetUsers(req.tenant.id, current.domain);
    await this.audit(req, 'userstore.deleted', current.domain);
    await this.refresh(req.tenant);
  }

  /** Connects (and binds) with the given settings, or a stored store's when only its name is given; never registers. */
  async test(tenant: TenantRef, input: StoreInput): Promise<StoreHealth> {
    const stored = (await this.deps.definitions.find(tenant.id, input.name)) ?? undefined;
    const checked = checkProperties({ domain: input.name, type: input.type, readOnly: input.readOnly, properties: input.properties }, stored?.type === input.type ? stored.secrets : {});
    const store = this.deps.build(checked.domain, tenant.domain, input.type, checked.settings, checked.secrets);
    try {
      return await store.health();
    } finally {
      await store.close().catch(() => {});
    }
  }

  private refuseTaken(tenant: TenantRef, domain: string): void {
    if (this.deps.registry.fixedDomains(tenant).includes(domain)) {
      throw new AppError('USR-40903', { description: `${domain} is already a user store of this tenant (PRIMARY or declared in deployment.toml).` });
    }
  }

  private async editable(tenant: TenantRef, domain: string): Promise<StoreDefinition> {
    const upper = domain.toUpperCase();
    const current = await this.deps.definitions.find(tenant.id, upper);
    if (current) return current;
    if (this.deps.registry.fixedDomains(tenant).includes(upper)) throw new AppError('USR-40904');
    throw new AppError('USR-40402');
  }

  /** Ends the SSO sessions of the store's users and removes Portcullis's data about them (ids DOMAIN:...). */
  private async forgetUsers(tenantId: string, domain: string): Promise<void> {
    // Ids are `DOMAIN:raw`: the half-open range ['DOMAIN:', 'DOMAIN;') is exactly those ids, without LIKE escapes.
    const [from, to] = [`${domain}:`, `${domain};`];
    const { db } = this.deps;
    const sessions = await db.selectFrom('sso_sessions').select('user_id').distinct().where('tenant_id', '=', tenantId).where('user_id', '>=', from).where('user_id', '<', to).execute();
    for (const { user_id } of sessions) await this.deps.endSessions(user_id);
    for (const table of ['identity_claims', 'totp_credentials', 'user_security'] as const) {
      await db.deleteFrom(table).where('tenant_id', '=', tenantId).where('user_id', '>=', from).where('user_id', '<', to).execute();
    }
  }

  private audit(req: AdminRequest, event: 'userstore.added' | 'userstore.updated' | 'userstore.deleted', domain: string): Promise<void> {
    return this.deps.audit.record({ tenantId: req.tenant.id, event, outcome: 'success', actor: req.actor, application: req.via, reason: domain, traceId: req.traceId, remoteAddress: req.remoteAddress });
  }
}
