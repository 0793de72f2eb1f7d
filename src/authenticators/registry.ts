// The authenticators this server has. Adding one is a folder under src/authenticators/ and one line in
// createAuthenticators(); nothing else switches on authenticator names.
import type { AuthenticatorInfo } from '../applications/sequence.ts';
import type { Authenticator } from './authenticator.ts';

export class AuthenticatorRegistry {
  private readonly byName = new Map<string, Authenticator>();

  constructor(readonly all: readonly Authenticator[]) {
    for (const a of all) {
      for (const name of [a.name, ...a.aliases]) this.byName.set(name.toLowerCase(), a);
    }
  }

  find(name: string): Authenticator | undefined {
    return this.byName.get(name.toLowerCase());
  }

  require(name: string): Authenticator {
    const a = this.find(name);
    if (!a) throw new Error(`unknown authenticator ${name}`);
    return a;
  }

  /** For application validation. */
  readonly lookup = (name: string): AuthenticatorInfo | undefined => this.find(name);
}
