// Checks an authentication sequence against the authenticators this deployment has. An application that
// names an unknown or disabled authenticator is refused with a message that says which, and where.
import { AppError } from '../errors/app-error.ts';
import { DEFAULT_SEQUENCE, type AuthenticationSequence } from './application.ts';

export interface AuthenticatorInfo {
  name: string;
  identifiesUser: boolean;
  /** An upstream provider's authenticator: its options name the identity provider (`idp`). */
  federated?: boolean;
  enabled(): boolean;
}

/** Finds an authenticator by its name or an alias (e.g. 'basic' for 'BasicAuthenticator'). */
export type AuthenticatorLookup = (name: string) => AuthenticatorInfo | undefined;

const MAX_STEPS = 10;
const MAX_OPTIONS = 10;

function refuse(description: string, code: 'APP-40001' | 'APP-40002' = 'APP-40001'): AppError {
  return new AppError(code, { description });
}

/** Returns the sequence with canonical authenticator names, or throws APP-40001/APP-40002. */
export function normaliseSequence(input: AuthenticationSequence | undefined, lookup: AuthenticatorLookup): AuthenticationSequence {
  if (!input || input.type === 'DEFAULT') return structuredClone(DEFAULT_SEQUENCE);
  if (input.type !== 'USER_DEFINED') throw refuse('authenticationSequence.type must be DEFAULT or USER_DEFINED.');
  const steps = [...(input.steps ?? [])].sort((a, b) => a.id - b.id);
  if (steps.length === 0 || steps.length > MAX_STEPS) throw refuse(`A sequence has 1 to ${MAX_STEPS} steps.`);
  const out: AuthenticationSequence = { type: 'USER_DEFINED', steps: [], subjectStepId: input.subjectStepId ?? 1, attributeStepId: input.attributeStepId ?? 1 };
  let identified = false;
  steps.forEach((step, index) => {
    if (step.id !== index + 1) throw refuse('Step ids must be 1, 2, 3, ... without gaps.');
    if (!step.options?.length || step.options.length > MAX_OPTIONS) throw refuse(`Step ${step.id} needs 1 to ${MAX_OPTIONS} options.`);
    const options = step.options.map((option) => {
      const idp = option.idp ?? 'LOCAL';
      const info = lookup(option.authenticator);
      if (!info) throw refuse(`Step ${step.id}: there is no authenticator named "${option.authenticator}".`, 'APP-40002');
      if (info.federated) {
        // The provider is looked up when the login runs: one removed later ends that option with an error page.
        if (idp === 'LOCAL' || !/^[^\s/:\p{Cc}][^/:\p{Cc}]{0,127}$/u.test(idp)) throw refuse(`Step ${step.id}: "${info.name}" needs the name of an identity provider as idp.`, 'APP-40002');
      } else if (idp !== 'LOCAL') {
        throw refuse(`Step ${step.id}: "${info.name}" is a local authenticator; identity provider "${idp}" needs a federated one such as OpenIDConnectAuthenticator.`, 'APP-40002');
      }
      if (!info.enabled()) throw refuse(`Step ${step.id}: the authenticator "${info.name}" is disabled in this deployment.`, 'APP-40002');
      if (!info.identifiesUser && !identified) {
        throw refuse(`Step ${step.id}: "${info.name}" needs a user identified by an earlier step (put a step such as BasicAuthenticator before it).`);
      }
      return { idp: info.federated ? idp : 'LOCAL', authenticator: info.name };
    });
    if (new Set(options.map((o) => `${o.idp}/${o.authenticator}`)).size !== options.length) throw refuse(`Step ${step.id} lists an authenticator twice.`);
    // A step identifies the user only if every option does; otherwise later steps could run without one.
    if (options.every((o) => lookup(o.authenticator)!.identifiesUser)) identified = true;
    out.steps.push({ id: step.id, options });
  });
  for (const [field, id] of [['subjectStepId', out.subjectStepId], ['attributeStepId', out.attributeStepId]] as const) {
    const step = out.steps[id - 1];
    if (!step) throw refuse(`${field} ${id} is not a step of the sequence.`);
    if (!step.options.every((o) => lookup(o.authenticator)!.identifiesUser)) throw refuse(`${field} must be a step whose authenticators identify the user.`);
  }
  return out;
}
