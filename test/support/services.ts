// Whether an external service a test needs is here. Outside CI a missing service skips the test with a
// printed reason; under CI=true it fails, because CI must run every test.
export const inCI = process.env.CI === 'true';

/** Returns node:test's `skip` option: false when ready, the reason when the test must skip. Throws under CI. */
export function skipUnless(ready: boolean, reason: string): false | string {
  if (ready) return false;
  if (inCI) throw new Error(`CI=true but ${reason}`);
  console.warn(`skipping: ${reason}`);
  return reason;
}
