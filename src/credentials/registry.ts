// The credential types a user can hold (second factors and their kin). Each type is one folder under
// credentials/ and one line in createCredentials below; a later type (recovery codes, WebAuthn) adds both and
// nothing else: removing a user's credentials (an admin reset) goes through every registered type.
import type { Kysely } from 'kysely';
import type { Keyring } from '../crypto/keyring.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import type { LockoutService } from '../users/lockout.ts';
import type { SecurityStateStore } from '../users/security-state.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { SecretHome } from './totp/credential-store.ts';
import { TotpCredentialStore, TotpCredentials } from './totp/index.ts';

/** What every credential type offers the rest of the server. */
export interface CredentialType {
  readonly kind: string;
  /** Removes the user's credentials of this type (the user enrols again). */
  reset(user: UserRecord): Promise<void>;
}

export interface CredentialDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  security: SecurityStateStore;
  lockout: LockoutService;
  clock: Clock;
  /** Where a tenant may keep active TOTP secrets outside the database (credentials/totp/store-secrets.ts). */
  secretHome?: SecretHome;
}

export class CredentialRegistry {
  private readonly types = new Map<string, CredentialType>();

  constructor(types: readonly CredentialType[]) {
    for (const t of types) {
      if (this.types.has(t.kind)) throw new Error(`credential type ${t.kind} registered twice`);
      this.types.set(t.kind, t);
    }
  }

  get kinds(): string[] {
    return [...this.types.keys()];
  }

  get(kind: string): CredentialType | undefined {
    return this.types.get(kind);
  }
}

export interface Credentials {
  totp: TotpCredentials;
  registry: CredentialRegistry;
}

export function createCredentials(deps: CredentialDeps): Credentials {
  const totp = new TotpCredentials({ store: new TotpCredentialStore(deps.db, deps.keyring, deps.secretHome), security: deps.security, lockout: deps.lockout, clock: deps.clock });
  return { totp, registry: new CredentialRegistry([totp]) };
}
