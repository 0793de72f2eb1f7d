// Password rules for passwords set through the APIs (NIST SP 800-63B section 5.1.1.2: at least 8
// characters, long passphrases allowed, no composition rules). The configured super admin password is
// exempt so that WSO2's admin/admin first start still works; the console urges a change.
import { AppError } from '../errors/app-error.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export function checkPassword(password: string, username: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new AppError('USR-40002', { description: `The password must have at least ${MIN_PASSWORD_LENGTH} characters.` });
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new AppError('USR-40002', { description: `The password must have at most ${MAX_PASSWORD_LENGTH} characters.` });
  }
  if (password.toLowerCase() === username.toLowerCase()) {
    throw new AppError('USR-40002', { description: 'The password must not be the user name.' });
  }
}
