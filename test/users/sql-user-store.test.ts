// PRIMARY (the SQL store in Portcullis's own database) on SQLite, PostgreSQL and MariaDB passes the contract.
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';
import { describeUserStoreContract } from '../support/user-store-contract.ts';
import { SqlUserStore } from '../../src/users/sql-user-store.ts';
import { PasswordHasher } from '../../src/users/password-hash.ts';
import { PRIMARY_DOMAIN } from '../../src/users/qualified-name.ts';
import { systemClock } from '../../src/time/clock.ts';

const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describeUserStoreContract(
    `PRIMARY on ${type}`,
    async () => {
      const storage = await openTestStorage(type);
      const store = new SqlUserStore(storage.db, hasher, PRIMARY_DOMAIN, systemClock);
      return { store, tenantScoped: true, seed: async (tenantId, user) => void (await store.create(tenantId, user)), close: () => storage.close() };
    },
    { skip: skipUnless(available, `${type} is not reachable`), expects: { verifyPassword: true, list: true, write: true, tenantScoped: true } },
  );
}
