// Notifications: email templates per tenant and the sender. createNotifications picks the transport from
// [output_adapter.email]: SMTP when a hostname is set, else the development outbox (with one warning at start).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import type { Config } from '../config/index.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { EmailTemplateService } from './email-templates.ts';
import { outboxDir, outboxTransport, smtpTransport, type MailTransport } from './mail-transport.ts';
import { NotificationService } from './notification-service.ts';

export { EmailTemplateService, type FoundTemplate, type TemplateLocale } from './email-templates.ts';
export type { MailMessage, MailTransport, SendResult } from './mail-transport.ts';
export { NotificationService, type SendEmailInput, type SentEmail } from './notification-service.ts';
export { MAX_BODY_BYTES, MAX_SUBJECT_CHARS, parseTemplate } from './validate.ts';
export { findTemplateType, listTemplateTypes, normalizeLocale, type EmailTemplate, type TemplateType, type TemplateTypeName } from './template-types.ts';

export interface NotificationOptions {
  config: Config;
  db: Kysely<Database>;
  claimValues: ClaimValueService;
  log: Logger;
  clock: Clock;
  /** Told of each email sent (email.sent, a notice: metrics count it). */
  audit?: Pick<AuditLog, 'notify'>;
  /** Replaces the configured transport (tests, other providers). */
  transport?: MailTransport;
}

export function createNotifications(options: NotificationOptions): NotificationService {
  const { config, log } = options;
  const email = config.output_adapter.email;
  let transport = options.transport;
  if (!transport && email.hostname !== '') transport = smtpTransport(email);
  if (!transport) {
    const dir = outboxDir(config.server.data_dir);
    log.warn(`no SMTP server is configured ([output_adapter.email] hostname is empty): emails are written to ${dir} and not sent`);
    transport = outboxTransport(dir);
  }
  return new NotificationService({
    templates: new EmailTemplateService(options.db, options.clock),
    claimValues: options.claimValues,
    transport,
    sender: { address: email.from_address || `noreply@${config.server.hostname}`, signature: email.signature },
    log,
    secrets: [email.password],
    ...(options.audit ? { audit: options.audit } : {}),
  });
}
