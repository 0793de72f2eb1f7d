// The import's memory (import_origins, migration 016): what was brought over from which source, so that a second
// run skips it rather than duplicating it.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../storage/database.ts';
import type { Database } from '../../storage/schema.ts';
import type { Clock } from '../../time/clock.ts';

export type OriginKind = 'tenant' | 'user' | 'totp' | 'application' | 'totp-config';

/** The column's width (migration 016); a longer source name is kept as its SHA-256. */
const MAX_SOURCE = 128;

export class ImportOrigins {
  private readonly source: string;

  constructor(
    private readonly db: Kysely<Database>,
    source: string,
    private readonly clock: Clock,
  ) {
    this.source = source.length <= MAX_SOURCE ? source : `sha256:${createHash('sha256').update(source).digest('hex')}`;
  }

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
