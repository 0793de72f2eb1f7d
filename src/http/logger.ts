// The server log (pino, JSON). Passwords, codes, secrets, tokens, cookies and authorization headers are
// redacted wherever they appear, and logged URLs lose their query strings (which may carry session keys).
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.secretKey',
  '*.code',
  '*.otp',
  '*.verificationCode',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.SAMLResponse',
  '*.SAMLRequest',
];

export function stripQuery(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, url: stripQuery(req.url) }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
