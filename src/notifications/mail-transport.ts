// Where composed messages go: an SMTP server ([output_adapter.email]) or, when no server is configured, a
// development outbox of .eml files under {data_dir}/outbox/. The service takes any MailTransport, so tests
// and future providers plug in without touching it.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/index.ts';

export type EmailSettings = Config['output_adapter']['email'];

export interface MailMessage {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  /** The .eml file, for the outbox. */
  file?: string;
}

export interface MailTransport {
  /** 'smtp' or 'outbox': says in logs where a message went. */
  readonly kind: string;
  send(message: MailMessage): Promise<SendResult>;
}

// nodemailer is loaded when the first message is sent, not at start (it is large and many nodes never mail).
async function createTransport(...options: Parameters<typeof Nodemailer.createTransport>): Promise<Transporter> {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport(...options);
}

function toNodemailer(m: MailMessage) {
  return { from: m.from.name ? m.from : m.from.address, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers };
}

/**
 * SMTP through nodemailer. Port 465 is implicit TLS; otherwise enable_start_tls requires STARTTLS (the send
 * fails rather than going out in clear), and when it is off STARTTLS is still used if the server offers it.
 * Timeouts are short because a user waits on the login page while the code is sent.
 */
export function smtpTransport(settings: EmailSettings): MailTransport {
  const implicitTls = settings.port === 465;
  let transporter: Promise<Transporter> | undefined;
  const connect = () => createTransport({
    host: settings.hostname,
    port: settings.port,
    secure: implicitTls,
    requireTLS: !implicitTls && settings.enable_start_tls,
    opportunisticTLS: !settings.enable_start_tls,
    auth: settings.enable_authentication ? { user: settings.username, pass: settings.password } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    send: async (message) => {
      transporter ??= connect();
      const info = await (await transporter).sendMail(toNodemailer(message));
      return { messageId: info.messageId };
    },
  };
}

/** Writes each message as an .eml file only the server's user can read: they hold live codes. */
export function outboxTransport(dir: string): MailTransport {
  let composer: Promise<Transporter> | undefined;
  return {
    kind: 'outbox',
    send: async (message) => {
      composer ??= createTransport({ streamTransport: true, buffer: true });
      const info = await (await composer).sendMail(toNodemailer(message));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Time first, so a directory listing is in sending order.
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
      await writeFile(file, info.message, { mode: 0o600, flag: 'wx' });
      return { messageId: info.messageId, file };
    },
  };
}

export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}
