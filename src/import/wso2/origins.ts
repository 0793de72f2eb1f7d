// The import's memory (import_origins, migration 016): what was brought over from which source, so that a second
// run skips it rather than duplicating it.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../storage/database.ts';
import type { Database } from '../../storage/schema.ts';
import type { Clock } from '../../time/clock.ts';

export type OriginKind = 'tenant' | 'user' | 'totp' | 'application' | 'totp-config';

export class ImportOrigins {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly source: string,
    private readonly clock: Clock,
  ) {}

  async find(kind: OriginKind, tenantId: string, sourceId: string | number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('import_origins')
      .select('target_id')
      .where('source', '=', this.source)
      .where('kind', '=', kind)
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', String(sourceId))
      .executeTakeFirst();
    return row?.target_id;
  }

  async record(kind: OriginKind, tenantId: string, sourceId: string | number, targetId: string): Promise<void> {
    try {
      await this.db
        .insertInto('import_origins')
        .values({ source: this.source, kind, tenant_id: tenantId, source_id: String(sourceId), target_id: targetId, imported_at: this.clock.now() })
        .execute();
    } catch (err) {
      // Two runs at once: the other recorded it first, which is the same outcome.
      if (!isUniqueViolation(err)) throw err;
    }
  }
}
