// Signing keys as JSON Web Keys (RFC 7517), the form OIDC publishes them in and oidc-provider's `jwks`
// configuration takes them: RSA, RS256, kid = the key's id. node:crypto exports the JWK itself.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { SigningKey } from './signing-key.ts';

export type Jwk = JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' };

export interface JwkSet {
  keys: Jwk[];
}

const meta = (key: SigningKey) => ({ kid: key.id, alg: 'RS256' as const, use: 'sig' as const });

/** The private JWK (with d, p, q, ...): only for the signer, never served. */
export function privateJwk(key: SigningKey): Jwk {
  return { ...key.privateKey.export({ format: 'jwk' }), ...meta(key) };
}

/** The public JWK (kty, n, e), what a JWKS endpoint serves. */
export function publicJwk(key: SigningKey): Jwk {
  return { ...createPublicKey(key.privateKey).export({ format: 'jwk' }), ...meta(key) };
}
