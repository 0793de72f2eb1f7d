// A small fake OpenID Connect provider for tests that need an upstream to misbehave: a wrong `iss` or `aud`, a bad
// signature, a wrong nonce or an expired ID token. A real provider (another Portcullis tenant, as in
// oidc-upstream.test.ts) never sends those, so this one stands in only where the real one cannot. It serves
// discovery, JWKS and a token endpoint over node:https on loopback with the test server's own self-signed
// certificate (which the server under test trusts: [federation] trusted_ca_file), and signs with jose. The test
// plays the browser's part at the authorization endpoint: it reads state and nonce from the authorization URL and
// registers a code with the ID token flaw it wants (`issue`).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export type Flaw = 'none' | 'issuer' | 'audience' | 'signature' | 'nonce' | 'expired';

interface Grant {
  nonce: string;
  flaw: Flaw;
  subject: string;
}

export class FakeOpenIdProvider {
  issuer = '';
  clientId = 'home-client';
  /** Token requests received: a refusal after one shows the ID token (not discovery or the exchange) was refused. */
  tokenRequests = 0;
  private readonly grants = new Map<string, Grant>();
  private server!: Server;
  private key!: CryptoKey;
  private otherKey!: CryptoKey;
  private jwk!: JWK;

  static async start(tlsDir: string): Promise<FakeOpenIdProvider> {
    const op = new FakeOpenIdProvider();
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    op.key = privateKey;
    op.otherKey = (await generateKeyPair('RS256')).privateKey;
    op.jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    op.server = createServer({ cert: readFileSync(join(tlsDir, 'server.crt')), key: readFileSync(join(tlsDir, 'server.key')) }, (req, res) => void op.handle(req, res));
    await new Promise<void>((resolve) => op.server.listen(0, '127.0.0.1', resolve));
    op.issuer = `https://127.0.0.1:${(op.server.address() as AddressInfo).port}`;
    return op;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A code the token endpoint will redeem for an ID token with `flaw` (bound to the login's nonce). */
  grant(nonce: string, flaw: Flaw, subject = `fake-${randomBytes(4).toString('hex')}`): string {
    const code = randomBytes(16).toString('base64url');
    this.grants.set(code, { nonce, flaw, subject });
    return code;
  }

  private async idToken(g: Grant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: g.subject, nonce: g.flaw === 'nonce' ? 'another-nonce' : g.nonce, preferred_username: g.subject, email: `${g.subject}@fake.example` };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(g.flaw === 'issuer' ? 'https://evil.example' : this.issuer)
      .setAudience(g.flaw === 'audience' ? 'someone-else' : this.clientId)
      .setIssuedAt(g.flaw === 'expired' ? now - 7200 : now)
      .setExpirationTime(g.flaw === 'expired' ? now - 3600 : now + 300)
      // The same header and claims, signed by a key that is not in the JWKS.
      .sign(g.flaw === 'signature' ? this.otherKey : this.key);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [this.jwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      this.tokenRequests += 1;
      let body = '';
      for await (const chunk of req) body += chunk;
      const code = new URLSearchParams(body).get('code') ?? '';
      const g = this.grants.get(code);
      this.grants.delete(code);
      if (!g) return json(400, { error: 'invalid_grant' });
      return json(200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: await this.idToken(g) });
    }
    return json(404, { error: 'not_found' });
  }
}
