// Applications in the database: one row each (settings as JSON) and one indexed row per protocol
// identifier (SAML issuer, OIDC client id), unique within the tenant.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { AppError } from '../errors/app-error.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { DEFAULT_SEQUENCE, SYSTEM_APPLICATIONS, type Application, type SystemApplication } from './application.ts';

type Row = Selectable<Database['applications']>;
type Settings = Omit<Application, 'id' | 'tenantId' | 'name' | 'kind' | 'createdAt' | 'updatedAt'>;

/** The protocol identifiers an application answers to, e.g. [{protocol: 'saml', identifier: 'travelocity.com'}]. */
export interface ProtocolIdentifier {
  protocol: string;
  identifier: string;
}

function toApplication(row: Row): Application {
  const s = JSON.parse(row.config) as Settings;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    kind: row.kind === 'system' ? 'system' : 'custom',
    description: s.description ?? '',
    accessUrl: s.accessUrl ?? '',
    authenticationSequence: s.authenticationSequence ?? structuredClone(DEFAULT_SEQUENCE),
    claimConfiguration: s.claimConfiguration ?? { requestedClaims: [] },
    inboundProtocols: s.inboundProtocols ?? {},
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function settingsOf(app: Application): string {
  const s: Settings = {
    description: app.description,
    accessUrl: app.accessUrl,
    authenticationSequence: app.authenticationSequence,
    claimConfiguration: app.claimConfiguration,
    inboundProtocols: app.inboundProtocols,
  };
  return JSON.stringify(s);
}

async function writeIdentifiers(trx: Transaction<Database>, app: Pick<Application, 'id' | 'tenantId'>, identifiers: ProtocolIdentifier[]): Promise<void> {
  if (identifiers.length === 0) return;
  await trx
    .insertInto('application_identifiers')
    .values(identifiers.map((i) => ({ tenant_id: app.tenantId, protocol: i.protocol, identifier: i.identifier, application_id: app.id })))
    .execute();
}

export interface ApplicationCacheOptions {
  ttlMs?: number;
  max?: number;
}

export class ApplicationStore {
  // Every step of a login reads its application; a short cache saves those reads. An edit made on another
  // node is seen here within the TTL; edits made here are seen at once (every write clears the cache, since
  // one application sits under several keys).
  private readonly cache: BoundedCache<string, Application | undefined>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    options: ApplicationCacheOptions = {},
  ) {
    this.cache = new BoundedCache({ ttlMs: options.ttlMs ?? 5000, max: options.max ?? 2000, clock });
  }

  // cached, get and findByName hand on the cache's promise (cache/bounded-cache.ts says why).
  private cached(key: string, load: () => Promise<Row | undefined>): Promise<Application | undefined> {
    return this.cache.get(key, async () => {
      const row = await load();
      return row && toApplication(row);
    });
  }

  get(tenantId: string, id: string): Promise<Application | undefined> {
    return this.cached(`${tenantId}:id:${id}`, () =>
      this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst(),
    );
  }

  async require(tenantId: string, id: string): Promise<Application> {
    const app = await this.get(tenantId, id);
    if (!app) throw new AppError('APP-40401');
    return app;
  }

  findByName(tenantId: string, name: string): Promise<Application | undefined> {
    return this.cached(`${tenantId}:name:${name.toLowerCase()}`, () =>
      this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('name_key', '=', name.toLowerCase()).executeTakeFirst(),
    );
  }

  async findByIdentifier(tenantId: string, protocol: string, identifier: string): Promise<Application | undefined> {
    const row = await this.db
      .selectFrom('application_identifiers as i')
      .innerJoin('applications as a', 'a.id', 'i.application_id')
      .selectAll('a')
      .where('i.tenant_id', '=', tenantId)
      .where('i.protocol', '=', protocol)
      .where('i.identifier', '=', identifier)
      .executeTakeFirst();
    return row && toApplication(row);
  }

  async list(tenantId: string, offset: number, limit: number): Promise<{ total: number; applications: Application[] }> {
    const [{ total }] = (await this.db
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where('tenant_id', '=', tenantId)
      .execute()) as [{ total: number }];
    const rows = await this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('name_key').limit(limit).offset(offset).execute();
    return { total: Number(total), applications: rows.map(toApplication) };
  }

  /** Inserts a validated application with its protocol identifiers; a taken name or identifier is APP-40901. */
  async create(app: Omit<Application, 'id' | 'createdAt' | 'updatedAt'>, identifiers: ProtocolIdentifier[]): Promise<Application> {
    const now = this.clock.now();
    const full: Application = { ...app, id: randomUUID(), createdAt: now, updatedAt: now };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('applications')
          .values({ id: full.id, tenant_id: full.tenantId, name: full.name, name_key: full.name.toLowerCase(), kind: full.kind, config: settingsOf(full), created_at: now, updated_at: now })
          .execute();
        await writeIdentifiers(trx, full, identifiers);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('APP-40901');
      throw err;
    } finally {
      this.cache.clear();
    }
    return full;
  }

  /** Replaces an application's settings and identifiers. */
  async update(app: Application, identifiers: ProtocolIdentifier[]): Promise<Application> {
    const updated = { ...app, updatedAt: this.clock.now() };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('applications')
          .set({ name: updated.name, name_key: updated.name.toLowerCase(), config: settingsOf(updated), updated_at: updated.updatedAt })
          .where('id', '=', app.id)
          .execute();
        await trx.deleteFrom('application_identifiers').where('application_id', '=', app.id).execute();
        await writeIdentifiers(trx, app, identifiers);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('APP-40901');
      throw err;
    } finally {
      this.cache.clear();
    }
    return updated;
  }

  async delete(app: Application): Promise<void> {
    if (app.kind === 'system') throw new AppError('APP-40301');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('application_identifiers').where('application_id', '=', app.id).execute();
      await trx.deleteFrom('applications').where('id', '=', app.id).execute();
    });
    this.cache.clear();
  }

  /** The tenant's built-in My Account application, created on first use. */
  async ensureMyAccount(tenantId: string): Promise<Application> {
    return this.ensureSystem(tenantId, SYSTEM_APPLICATIONS.myAccount);
  }

  /** The tenant's built-in Console application, created on first use. */
  async ensureConsole(tenantId: string): Promise<Application> {
    return this.ensureSystem(tenantId, SYSTEM_APPLICATIONS.console);
  }

  /** Every built-in application of the tenant (so that lists show them before their first use). */
  async ensureSystemApps(tenantId: string): Promise<void> {
    for (const spec of Object.values(SYSTEM_APPLICATIONS)) await this.ensureSystem(tenantId, spec);
  }

  /**
   * A built-in application, created on first use (safe when two nodes race). A custom application holding the
   * name is never taken for it: that would let its sequence guard a built-in page.
   */
  async ensureSystem(tenantId: string, spec: SystemApplication): Promise<Application> {
    const found = async () => {
      const app = await this.findByName(tenantId, spec.name);
      if (app && app.kind !== 'system') {
        throw new AppError('APP-40901', { description: `The application "${app.name}" has the name of a built-in application; rename it.` });
      }
      return app;
    };
    const existing = await found();
    if (existing) return existing;
    try {
      return await this.create(
        {
          tenantId,
          name: spec.name,
          kind: 'system',
          description: spec.description,
          accessUrl: spec.accessUrl,
          authenticationSequence: structuredClone(DEFAULT_SEQUENCE),
          claimConfiguration: { requestedClaims: [] },
          inboundProtocols: {},
        },
        [],
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'APP-40901') return (await found())!;
      throw err;
    }
  }
}
