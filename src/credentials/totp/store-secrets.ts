// The layer beneath TotpCredentialStore that keeps an active secret in the user's own store (LDAP, AD, JDBC)
// when the tenant chose so (secret-storage.ts). Only the sealed value travels: the credential store encrypts it
// with the keyring under the row's binding (secretAad with the secretkey claim URI), so an LDAP admin reading the
// directory sees ciphertext, and a value copied to another user's entry or another tenant does not decrypt.
// Writes go through UserService, so a read-only store is refused there too (USR-40004).
import { storeSecretReader } from '../../claims/totp-credential-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import type { UserService } from '../../users/user-service.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { SecretHome } from './credential-store.ts';
import type { TotpSecretStorage } from './secret-storage.ts';

export class UserStoreSecrets implements SecretHome {
  private readonly reader;

  constructor(
    private readonly users: UserService,
    private readonly storage: TotpSecretStorage,
  ) {
    this.reader = storeSecretReader(users);
  }

  placementFor(user: UserRecord): Promise<string | undefined> {
    return this.storage.placementFor(user);
  }

  read(user: UserRecord, attribute: string): Promise<string | undefined> {
    return this.reader(user, attribute);
  }

  write(user: UserRecord, attribute: string, sealed: string): Promise<void> {
    return this.users.setAttributes(user, { [attribute]: sealed });
  }

  /**
   * Removes the attribute. A store that has become read-only since cannot: the value is left behind, inert (no
   * credential row points at it any more, and it decrypts only for this user). A store that is down fails the
   * operation, so nothing changes and it can be retried.
   */
  async clear(user: UserRecord, attribute: string): Promise<void> {
    try {
      await this.users.setAttributes(user, { [attribute]: null });
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'USR-40004')) throw err;
    }
  }
}
