// The one place secret claims (the TOTP seeds, encrypted at rest) are read in clear. It is not part of the
// shared services, so a front or an API that has ClaimValueService cannot reach a decrypted seed by accident
// (ClaimValueService never decrypts). The server itself reads seeds through the TOTP credentials layer
// (credentials/totp/credential-store.ts), which uses the same binding (secretAad); this reader remains for
// the claim view of them (tests and tools that read a user's claims as WSO2 names them).
import type { Kysely } from 'kysely';
import type { Keyring } from '../crypto/keyring.ts';
import type { Database } from '../storage/schema.ts';
import type { UserService } from '../users/user-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { ClaimValues } from './claim-values.ts';
import { ENCRYPTED_CLAIMS, isIdentityClaim } from './local-claims.ts';
import { CREDENTIAL_CLAIMS, readCredentialClaims, storeSecretReader } from './totp-credential-claims.ts';

/** Binds a ciphertext to its user and claim: a value copied to another user or claim does not decrypt. */
export function secretAad(user: Pick<UserRecord, 'tenantId' | 'id'>, uri: string): string {
  return `${user.tenantId}:${user.id}:${uri}`;
}

export class SecretClaimReader {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    /** To read an active secret a tenant keeps in the user's store; without it such a secret reads as absent. */
    private readonly users?: Pick<UserService, 'storeOf'>,
  ) {}

  /** Values of identity-data claims (the secrets decrypted, e.g. secretkey with its encoding); absent when unset. */
  async read(user: UserRecord, uris: readonly string[]): Promise<ClaimValues> {
    if (uris.some((uri) => !isIdentityClaim(uri))) throw new Error('SecretClaimReader reads identity-data claims only');
    if (uris.length === 0) return {};
    // secretkey, verifySecretkey and encoding are views of the TOTP credential rows (totp-credential-claims.ts).
    const stored = Object.entries(await readCredentialClaims(this.db, user, uris, this.users && storeSecretReader(this.users))).map(([claim_uri, value]) => ({ claim_uri, value }));
    const plain = uris.filter((u) => !CREDENTIAL_CLAIMS.has(u));
    const rows = plain.length === 0 ? [] : await this.db.selectFrom('identity_claims').select(['claim_uri', 'value']).where('user_id', '=', user.id).where('claim_uri', 'in', plain).execute();
    const out: ClaimValues = {};
    for (const r of [...stored, ...rows]) out[r.claim_uri] = ENCRYPTED_CLAIMS.has(r.claim_uri) ? this.keyring.decryptString(r.value, secretAad(user, r.claim_uri)) : r.value;
    return out;
  }
}
