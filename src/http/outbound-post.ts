// A form POST from the server to a URL that came from configuration (a SAML back-channel logout endpoint),
// made so it cannot be turned against the server's own network: the address is checked after DNS resolution,
// in the lookup the socket itself uses (a name that resolved to a public address a moment ago and to 127.0.0.1
// now is refused, DNS rebinding), IP literals are checked before connecting, redirects are not followed, the
// whole exchange has a deadline and at most a few KiB of the answer are read.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress } from './private-addresses.ts';

export interface OutboundOptions {
  /** Reach loopback, link-local and private addresses too ([saml] allow_private_logout_targets). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** Bytes of the answer read at most; the rest is not waited for. */
  maxResponseBytes?: number;
}

/** delivered: a 2xx or 3xx answer (3xx not followed); refused: the address is not allowed; failed: anything else. */
export type OutboundResult = 'delivered' | 'refused' | 'failed';

class RefusedAddress extends Error {
  readonly code = 'EADDRREFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup that fails when any address the name resolves to is private. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) return callback(new RefusedAddress(`${hostname} resolves to a private address`), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

export async function postForm(target: string, form: Record<string, string>, options: OutboundOptions): Promise<OutboundResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'failed';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'failed';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) return 'refused';
  const body = new URLSearchParams(form).toString();
  const limit = options.maxResponseBytes ?? 16_384;
  const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    // A fresh connection each time: a pooled socket would skip the lookup this request must pass.
    agent: false,
    ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  return new Promise<OutboundResult>((resolve) => {
    let settled = false;
    const finish = (result: OutboundResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
      req.destroy();
    };
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const outcome: OutboundResult = status >= 200 && status < 400 ? 'delivered' : 'failed';
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > limit) finish(outcome);
      });
      res.on('end', () => finish(outcome));
      res.on('error', () => finish(outcome));
    });
    req.on('error', (err) => finish(err instanceof RefusedAddress || (err as { cause?: unknown }).cause instanceof RefusedAddress ? 'refused' : 'failed'));
    req.end(body);
  });
}
