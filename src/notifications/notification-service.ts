// Sends a templated email to a user: recipient from the user's email claim, template by tenant, type and
// locale, placeholders from the caller, the user's claims and the tenant. Logs say what was sent to whom,
// never the content: bodies carry one-time codes.
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import { CLAIMS } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { EmailTemplateService } from './email-templates.ts';
import type { MailTransport } from './mail-transport.ts';
import { composeMessage, type Sender } from './message.ts';
import { placeholdersOf, renderTemplate } from './render.ts';
import { claimOfPlaceholder, normalizeLocale, templateType, type TemplateTypeName } from './template-types.ts';

export interface SendEmailInput {
  tenant: Tenant;
  user: UserRecord;
  type: TemplateTypeName;
  /** Preferred locale (en_US or en-US); when absent, the user's locale claim; then en_US. */
  locale?: string;
  /** Placeholder values, e.g. { token: '012345' }. */
  values: Readonly<Record<string, string>>;
}

export interface SentEmail {
  /** The recipient (the user's email claim). */
  to: string;
  /** The template's locale (after fallback). */
  locale: string;
  transport: string;
  messageId: string;
  file?: string;
}

export interface NotificationDeps {
  templates: EmailTemplateService;
  claimValues: ClaimValueService;
  transport: MailTransport;
  sender: Sender;
  log: Logger;
  /** Strings scrubbed from logged transport errors (the SMTP password). */
  secrets?: readonly string[];
  /** Told of each email sent, by template type: every email passes here, so metrics count them all. */
  audit?: Pick<AuditLog, 'notify'>;
}

// One plain address: no list separators, brackets or spaces that could add a recipient or a header.
const ADDRESS = /^[^\s@,;<>()"']+@[^\s@,;<>()"']+$/;

export class NotificationService {
  readonly templates: EmailTemplateService;

  constructor(private readonly deps: NotificationDeps) {
    this.templates = deps.templates;
  }

  get transportKind(): string {
    return this.deps.transport.kind;
  }

  /** {{user.claim.X}} values, read through the claim read policy for emails: never a secret, an identity or a hidden claim. */
  private async claimValuesFor(input: SendEmailInput, names: readonly string[]): Promise<Map<string, string>> {
    const byUri = new Map<string, string>();
    for (const name of names) {
      const uri = claimOfPlaceholder(name);
      if (uri !== undefined) byUri.set(uri, name);
    }
    if (byUri.size === 0) return new Map();
    const values = await this.deps.claimValues.readReleasable(input.user, [...byUri.keys()], 'email');
    return new Map([...byUri].flatMap(([uri, name]) => (values[uri] === undefined ? [] : [[name, values[uri]!]])));
  }

  async sendEmail(input: SendEmailInput): Promise<SentEmail> {
    const { tenant, user } = input;
    const type = templateType(input.type);
    const own = await this.deps.claimValues.get(user, [CLAIMS.email, CLAIMS.locale]);
    const to = own[CLAIMS.email]?.trim();
    if (!to) throw new AppError('NTF-40001');
    if (!ADDRESS.test(to)) throw new AppError('NTF-40001', { description: "The user's email address is not a valid address." });
    const wanted = input.locale ?? own[CLAIMS.locale];
    const { template, locale } = await this.deps.templates.resolve(tenant.id, type, wanted === undefined ? undefined : normalizeLocale(wanted));

    const names = placeholdersOf(`${template.subject}\n${template.body}\n${template.footer}`);
    const claims = await this.claimValuesFor(input, names);
    const builtIn = new Map([
      ['user-name', user.username],
      ['tenant-domain', tenant.domain],
    ]);
    const derived = new Map(Object.entries(type.derive?.(input.values) ?? {}));
    const lookup = (name: string) =>
      claims.get(name) ?? builtIn.get(name) ?? (Object.hasOwn(input.values, name) ? input.values[name] : undefined) ?? derived.get(name);
    const unknown = new Set<string>();
    const onUnknown = (name: string) => unknown.add(name);
    const html = template.contentType === 'text/html';
    const rendered = {
      contentType: template.contentType,
      subject: renderTemplate(template.subject, lookup, { html: false, singleLine: true, onUnknown }),
      body: renderTemplate(template.body, lookup, { html, onUnknown }),
      footer: renderTemplate(template.footer, lookup, { html, onUnknown }),
    };
    if (unknown.size > 0) this.deps.log.debug({ template: type.name, locale, placeholders: [...unknown] }, 'email template placeholders without a value were left empty');

    const message = composeMessage(rendered, to, this.deps.sender);
    const transport = this.deps.transport;
    let result;
    try {
      result = await transport.send(message);
    } catch (err) {
      this.logFailure(err, type.name, tenant);
      throw new AppError('NTF-50301');
    }
    const about = { tenant: tenant.domain, to, template: type.name, locale, transport: transport.kind };
    if (result.file) this.deps.log.info({ ...about, file: result.file }, 'email written to the development outbox, not sent');
    else this.deps.log.info(about, 'email sent');
    await this.deps.audit?.notify({ tenantId: tenant.id, event: 'email.sent', outcome: 'success', user, reason: type.name });
    return { to, locale, transport: transport.kind, messageId: result.messageId, ...(result.file ? { file: result.file } : {}) };
  }

  // The error's code, SMTP status and text with the SMTP password scrubbed; never the message, which holds the code.
  private logFailure(err: unknown, template: string, tenant: Tenant): void {
    const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown; message?: unknown };
    let detail = typeof e.message === 'string' ? e.message : String(err);
    for (const s of this.deps.secrets ?? []) if (s) detail = detail.split(s).join('[redacted]');
    this.deps.log.error(
      { tenant: tenant.domain, template, transport: this.deps.transport.kind, reason: e.code, smtpStatus: e.responseCode, smtpCommand: e.command, detail },
      'email could not be sent',
    );
  }
}
