// The authenticators this server has. Adding one is a folder under src/authenticators/ and one line in
// createAuthenticators(); nothing else switches on authenticator names.
import type { AuthenticatorInfo } from '../applications/sequence.ts';
import type { Authenticator } from './authenticator.ts';

/** A login's option: a local authenticator's name, or "<authenticator>:<identity provider name>". */
export function optionOf(option: string): { authenticator: string; idp: string | undefined } {
  const at = option.indexOf(':');
  return at < 0 ? { authenticator: option, idp: undefined } : { authenticator: option.slice(0, at), idp: option.slice(at + 1) };
}

/** The option a sequence entry makes in a login. */
export function optionName(entry: { idp?: string; authenticator: string }): string {
  return entry.idp && entry.idp !== 'LOCAL' ? `${entry.authenticator}:${entry.idp}` : entry.authenticator;
}

export class AuthenticatorRegistry {
  private readonly byName = new Map<string, Authenticator>();

  constructor(readonly all: readonly Authenticator[]) {
    for (const a of all) {
      for (const name of [a.name, ...a.aliases]) this.byName.set(name.toLowerCase(), a);
    }
  }

  /** By name or alias; a login's option "OpenIDConnectAuthenticator:Corp" names the authenticator before the colon. */
  find(name: string): Authenticator | undefined {
    return this.byName.get(optionOf(name).authenticator.toLowerCase());
  }

  /** What a chooser shows for a login's option: the authenticator's name, or "Sign in with <provider>". */
  label(option: string): string {
    const { idp } = optionOf(option);
    return idp ? `Sign in with ${idp}` : this.require(option).displayName;
  }

  require(name: string): Authenticator {
    const a = this.find(name);
    if (!a) throw new Error(`unknown authenticator ${name}`);
    return a;
  }

  /** For application validation. */
  readonly lookup = (name: string): AuthenticatorInfo | undefined => this.find(name);
}
