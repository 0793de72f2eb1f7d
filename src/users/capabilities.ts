// The one place that decides whether a store may be asked to do something: every caller asks here rather
// than reading a flag or probing for a method, so a read-only store (JDBC, later LDAP) is refused the same way.
import { AppError } from '../errors/app-error.ts';
import type { PasswordVerifier, UserQuery, UserStore, UserWriter } from './user-store.ts';

export function canVerify(store: UserStore): store is UserStore & PasswordVerifier {
  return store.capabilities.verifyPassword && typeof (store as Partial<PasswordVerifier>).verifyPassword === 'function';
}

export function canList(store: UserStore): store is UserStore & UserQuery {
  return store.capabilities.list && typeof (store as Partial<UserQuery>).list === 'function';
}

export function canWrite(store: UserStore): store is UserStore & UserWriter {
  return store.capabilities.write && typeof (store as Partial<UserWriter>).create === 'function';
}

/** The store as a writer, or USR-40004 ("User store is read-only"). */
export function writerOf(store: UserStore): UserStore & UserWriter {
  if (!canWrite(store)) throw new AppError('USR-40004', { description: `The user store ${store.domain} is read-only.` });
  return store;
}
