import type { Kysely } from 'kysely';

// Tenant overrides of email templates, one row per (tenant, template type, locale). Bodies are `text`, which
// MySQL caps at 65535 bytes: the template API refuses larger bodies and footers before they reach here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_templates')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('template_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('locale', 'varchar(16)', (c) => c.notNull())
    .addColumn('content_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('footer', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('email_templates_pk', ['tenant_id', 'template_type', 'locale'])
    .execute();
}
