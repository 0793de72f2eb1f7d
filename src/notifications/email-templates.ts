// Email templates per tenant: the shipped defaults (template-types.ts), overridden per (type, locale) by rows
// of email_templates. A message in a locale nobody wrote falls back to en_US.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { CONTENT_TYPES, DEFAULT_LOCALE, type EmailTemplate, type TemplateType } from './template-types.ts';

export interface TemplateLocale {
  locale: string;
  /** True when the shipped template is in use, i.e. the tenant has no override for this locale. */
  isDefault: boolean;
}

export interface FoundTemplate {
  template: EmailTemplate;
  locale: string;
  isDefault: boolean;
}

type Row = Database['email_templates'];

function toTemplate(row: Pick<Row, 'content_type' | 'subject' | 'body' | 'footer'>): EmailTemplate {
  const contentType = CONTENT_TYPES.find((t) => t === row.content_type) ?? 'text/plain';
  return { contentType, subject: row.subject, body: row.body, footer: row.footer };
}

export class EmailTemplateService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  private async overrides(tenantId: string, type: TemplateType, locales?: readonly string[]): Promise<Map<string, EmailTemplate>> {
    let query = this.db
      .selectFrom('email_templates')
      .select(['locale', 'content_type', 'subject', 'body', 'footer'])
      .where('tenant_id', '=', tenantId)
      .where('template_type', '=', type.name);
    if (locales) query = query.where('locale', 'in', locales);
    const rows = await query.execute();
    return new Map(rows.map((r) => [r.locale, toTemplate(r)]));
  }

  /** Every locale the tenant can send this type in, sorted. */
  async locales(tenantId: string, type: TemplateType): Promise<TemplateLocale[]> {
    const own = await this.overrides(tenantId, type);
    const all = new Set([...Object.keys(type.defaults), ...own.keys()]);
    return [...all].sort().map((locale) => ({ locale, isDefault: !own.has(locale) }));
  }

  /** The template for exactly this locale (the tenant's, else the shipped one), without fallback. */
  async get(tenantId: string, type: TemplateType, locale: string): Promise<FoundTemplate | undefined> {
    const own = (await this.overrides(tenantId, type, [locale])).get(locale);
    if (own) return { template: own, locale, isDefault: false };
    const shipped = type.defaults[locale];
    return shipped && { template: shipped, locale, isDefault: true };
  }

  /** The template to send: the requested locale if the tenant or the defaults have it, else en_US. */
  async resolve(tenantId: string, type: TemplateType, locale: string | undefined): Promise<FoundTemplate> {
    const candidates = [...new Set([locale ?? DEFAULT_LOCALE, DEFAULT_LOCALE])];
    const own = await this.overrides(tenantId, type, candidates);
    for (const l of candidates) {
      const template = own.get(l);
      if (template) return { template, locale: l, isDefault: false };
      const shipped = type.defaults[l];
      if (shipped) return { template: shipped, locale: l, isDefault: true };
    }
    // Unreachable while every type ships en_US; kept so a new type without one fails loudly in tests.
    throw new Error(`email template type ${type.name} has no ${DEFAULT_LOCALE} template`);
  }

  /** Creates or replaces the tenant's template; `created` is false when one was replaced. */
  async put(tenantId: string, type: TemplateType, locale: string, template: EmailTemplate): Promise<{ created: boolean }> {
    const values = { content_type: template.contentType, subject: template.subject, body: template.body, footer: template.footer, updated_at: this.clock.now() };
    const update = async () => {
      const r = await this.db
        .updateTable('email_templates')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('template_type', '=', type.name)
        .where('locale', '=', locale)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    };
    if (await update()) return { created: false };
    try {
      await this.db.insertInto('email_templates').values({ tenant_id: tenantId, template_type: type.name, locale, ...values }).execute();
      return { created: true };
    } catch (err) {
      // Another request created it between our update and insert: then ours replaces it.
      if (!isUniqueViolation(err)) throw err;
      await update();
      return { created: false };
    }
  }

  /** Removes the tenant's template (back to the shipped one, if any); false when there was none. */
  async remove(tenantId: string, type: TemplateType, locale: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('email_templates')
      .where('tenant_id', '=', tenantId)
      .where('template_type', '=', type.name)
      .where('locale', '=', locale)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
