// The fetch the server uses to talk to upstream identity providers (OpenID Connect discovery, token, JWKS and
// userinfo requests through openid-client). Like outbound-post.ts it cannot be turned against the server's own
// network unless the deployment allows it ([federation] allow_private_upstreams): addresses are checked after DNS
// resolution, at connect time, and for IP literals before connecting. HTTPS only, redirects not followed, a
// deadline on the whole exchange and a cap on the answer's size. The deployment may name extra trusted CA
// certificates (a private PKI, or a test server's self-signed certificate); the system's stay trusted too.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { guardedLookup } from './outbound-post.ts';
import { isPrivateAddress } from './private-addresses.ts';

export interface OutboundFetchOptions {
  allowPrivate: boolean;
  /** A PEM file of extra CA certificates; read at the first request (it may be written after start). */
  caFile: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

export type OutboundFetch = (url: string, init: { method?: string; headers?: unknown; body?: unknown; redirect?: unknown }) => Promise<Response>;

export function createOutboundFetch(options: OutboundFetchOptions): OutboundFetch {
  let ca: string[] | undefined;
  const trusted = () => (ca ??= options.caFile ? [...rootCertificates, readFileSync(options.caFile, 'utf8')] : undefined);
  return (target, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(target);
      if (url.protocol !== 'https:') return reject(new Error('upstream URLs must be https'));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) return reject(new Error('upstream address is private'));
      const headers: Record<string, string> = {};
      new Headers(init.headers as HeadersInit | undefined).forEach((v, k) => (headers[k] = v));
      const body = init.body === undefined || init.body === null ? undefined : init.body instanceof URLSearchParams ? init.body.toString() : String(init.body);
      const extraCa = trusted();
      const req = httpsRequest(url, {
        method: init.method ?? 'GET',
        headers,
        agent: false,
        ...(extraCa ? { ca: extraCa } : {}),
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (read > options.maxResponseBytes) {
            req.destroy();
            reject(new Error('upstream answer too large'));
          } else chunks.push(c);
        });
        // Runs from the socket's events, outside the request's scope (request-scope.ts): a throw here would reach
        // the process as one outside any request, so whatever the upstream sent is turned into a rejection (a
        // status Response refuses, such as 999, throws a RangeError).
        res.on('end', () => {
          try {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) for (const one of [v ?? []].flat()) out.append(k, one);
            const status = res.statusCode ?? 502;
            resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: out }));
          } catch (err) {
            reject(err instanceof Error ? err : new Error('unreadable upstream answer'));
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}
