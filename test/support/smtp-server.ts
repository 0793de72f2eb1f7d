// A real SMTP server for tests (smtp-server, in-process on 127.0.0.1, ephemeral port). Plain SMTP without
// STARTTLS: the connection never leaves loopback, and the server under test is configured with
// enable_start_tls = false. Messages are parsed with mailparser before the server answers 250, so a send
// that resolved has already landed in `messages`.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The user the client authenticated as, if it did. */
  authUser: string | undefined;
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Credentials the server accepts; without them AUTH is optional. */
  credentials?: { username: string; password: string };
  /** Recipients refused with 550, to test send failures. */
  rejectRecipients?: readonly string[];
}

export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const creds = options.credentials;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: !creds,
    logger: false,
    onAuth(auth, _session, callback) {
      if (creds && auth.username === creds.username && auth.password === creds.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.includes(address.address)) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const mailFrom = session.envelope.mailFrom;
            messages.push({
              authUser: typeof session.user === 'string' ? session.user : undefined,
              mailFrom: mailFrom ? mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
