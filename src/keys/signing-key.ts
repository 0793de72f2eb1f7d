// What a signing key is, apart from where it is kept: the key pair with its self-signed certificate (SAML
// metadata and KeyInfo carry the certificate; a JWKS carries the public key), its generation and status.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * What a key signs. Each purpose has its own keys and rotates on its own, so rotating the OIDC key never changes
 * the certificate SAML service providers trust.
 */
export type KeyPurpose = 'saml' | 'oidc';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['saml', 'oidc'];

export const DEFAULT_GRACE_MS = 14 * 86_400_000;

export type KeyStatus = 'active' | 'next' | 'retired';

export interface SigningKey {
  id: string;
  generation: number;
  status: KeyStatus;
  certificatePem: string;
  /** Base64 DER of the certificate, as metadata and KeyInfo carry it. */
  certificateBase64: string;
  privateKey: KeyObject;
  createdAt: number;
  retiredAt: number | null;
  publishUntil: number | null;
}

export interface TenantKeys {
  /** The key that signs. */
  active: SigningKey;
  /** Every key relying parties should accept: the active one first, then retired ones still in their grace period. */
  published: SigningKey[];
}

/** What the keys API shows: never the private key. */
export interface KeyInfo {
  id: string;
  generation: number;
  status: KeyStatus;
  published: boolean;
  certificatePem: string;
  createdAt: number;
  retiredAt: number | null;
  publishUntil: number | null;
}

/** A SigningKey from a PEM pair (also what unit tests sign with). */
export function signingKeyFromPem(certificatePem: string, privateKeyPem: string, meta: Partial<Pick<SigningKey, 'id' | 'generation' | 'status'>> = {}): SigningKey {
  return {
    id: meta.id ?? 'local',
    generation: meta.generation ?? 1,
    status: meta.status ?? 'active',
    certificatePem,
    certificateBase64: new X509Certificate(certificatePem).raw.toString('base64'),
    privateKey: createPrivateKey(privateKeyPem),
    createdAt: 0,
    retiredAt: null,
    publishUntil: null,
  };
}

/** Whether relying parties should still accept a key: every key but a retired one past its grace period. */
export function isPublished(key: { status: string; publish_until: number | null }, now: number): boolean {
  return key.status !== 'retired' || (key.publish_until !== null && Number(key.publish_until) > now);
}
