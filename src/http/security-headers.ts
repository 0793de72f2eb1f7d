// Headers every response carries. Pages may relax form-action (a SAML POST to an application's ACS) by
// setting their own Content-Security-Policy before sending.
import type { FastifyInstance } from 'fastify';

export const DEFAULT_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function installSecurityHeaders(app: FastifyInstance): void {
  // A callback rather than async (input-parsers.ts says why).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('strict-transport-security', 'max-age=31536000');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DEFAULT_CSP);
    done(null, payload);
  });
}
