// SAML status codes (SAML core 3.2.2): what a login failure means to the SP, and the Status element itself.
// Only the four top-level codes may stand alone; the others are nested under Requester or Responder.
import type { Failure } from '../../authenticators/authenticator.ts';
import { NS, STATUS } from '../../saml-core/constants.ts';
import { attr, childrenNS, el, optionalChild, textOf, type XmlElement } from '../../saml-core/xml.ts';

export interface SamlStatus {
  code: string;
  subCode?: string;
  /** A short, user-safe message (never a secret or a user-supplied value). */
  message?: string;
}

export const SUCCESS: SamlStatus = { code: STATUS.success };

/**
 * A login that ended without success, as the SP should hear it: IsPassive without a session is NoPassive
 * (core 3.4.1), a locked account is RequestDenied (the user is known, we refuse), anything else, including
 * the user leaving with "Return to application", is AuthnFailed.
 */
export function statusForFailure(failure: Failure): SamlStatus {
  if (failure.reason === 'login.passive' || failure.reason === 'login.passive_step') return { code: STATUS.responder, subCode: STATUS.noPassive, message: 'The user is not logged in and the request is passive.' };
  if (failure.reason === 'account.locked') return { code: STATUS.responder, subCode: STATUS.requestDenied, message: 'The account is locked.' };
  if (failure.reason === 'login.cancelled') return { code: STATUS.responder, subCode: STATUS.authnFailed, message: 'The user cancelled the login.' };
  return { code: STATUS.responder, subCode: STATUS.authnFailed, message: 'The user could not be authenticated.' };
}

export function statusElement(status: SamlStatus): XmlElement {
  const inner = status.subCode ? [el('samlp:StatusCode', { Value: status.subCode })] : [];
  return el('samlp:Status', {}, [
    el('samlp:StatusCode', { Value: status.code }, inner),
    status.message ? el('samlp:StatusMessage', {}, [status.message]) : undefined,
  ]);
}

/** The Status of a StatusResponseType message (e.g. a LogoutResponse from an SP). */
export function readStatus(root: Element): SamlStatus {
  const status = optionalChild(root, NS.protocol, 'Status');
  const code = status && optionalChild(status, NS.protocol, 'StatusCode');
  if (!code) return { code: STATUS.requester };
  const sub = childrenNS(code, NS.protocol, 'StatusCode')[0];
  const message = status && optionalChild(status, NS.protocol, 'StatusMessage');
  return { code: attr(code, 'Value') ?? STATUS.requester, ...(sub ? { subCode: attr(sub, 'Value') } : {}), ...(message ? { message: textOf(message) } : {}) };
}
