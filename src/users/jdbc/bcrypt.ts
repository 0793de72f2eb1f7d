// bcrypt hashes of existing users tables ($2a$, $2b$, $2y$), verified by bcryptjs (a maintained, dependency-free
// implementation) rather than by code of ours. Only the first 72 bytes of a password count, as in every bcrypt.
// The cost is capped: a table row with cost 31 must not hold the event loop for hours.
// Loaded by the first bcrypt hash checked (a SQL store with bcrypt passwords), not at start.
const bcrypt = async () => (await import('bcryptjs')).default;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const MAX_COST = 14;

export function isBcryptHash(stored: string): boolean {
  return BCRYPT.test(stored);
}

/** True when `password` matches the bcrypt hash; false for a wrong password, a damaged hash or a cost above 14. */
export async function bcryptVerify(stored: string, password: string): Promise<boolean> {
  const cost = Number(BCRYPT.exec(stored)?.[1]);
  if (!(cost >= 4 && cost <= MAX_COST)) return false;
  return (await bcrypt()).compare(password, stored);
}

/** A bcrypt hash of `password` at `cost` (tests and operators preparing data). */
export async function bcryptHash(password: string, cost: number): Promise<string> {
  return (await bcrypt()).hash(password, cost);
}
