// Single Logout messages (SAML core 3.7): reading LogoutRequests and LogoutResponses from SPs, writing ours,
// and sending either by a binding. Over Redirect the query is signed (bindings 3.4.4.1) and the XML carries
// no signature; over POST the XML itself is signed.
import type { FrontResponse } from '../../flows/fronts.ts';
import { issuerOf } from './authn-request.ts';
import { NAMEID_FORMAT, NS, type Binding } from '../../saml-core/constants.ts';
import type { SigningKey } from '../../keys/signing-key.ts';
import { autoPostPage, encodePostMessage } from './post-binding.ts';
import { redirectUrl } from '../../saml-core/redirect-binding.ts';
import { signEnveloped, xpathOf } from '../../saml-core/signature.ts';
import { readStatus, statusElement, type SamlStatus } from './status.ts';
import { attr, childrenNS, dateAttr, el, idAttr, instant, invalidMessage, newSamlId, optionalChild, serialize, textOf } from '../../saml-core/xml.ts';
import type { MessageKind } from './inbound.ts';

export interface LogoutRequestMessage {
  id: string;
  version: string;
  issueInstant: number;
  destination: string | undefined;
  notOnOrAfter: number | undefined;
  issuer: string;
  nameId: string;
  sessionIndexes: string[];
}

export interface LogoutResponseMessage {
  id: string;
  inResponseTo: string | undefined;
  issuer: string;
  status: SamlStatus;
}

/** The NameID a logout names; an encrypted or abstract identifier (EncryptedID, BaseID) is not supported. */
export function readLogoutRequest(root: Element): LogoutRequestMessage {
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutRequest') throw invalidMessage('The message is not a LogoutRequest.');
  const nameId = optionalChild(root, NS.assertion, 'NameID');
  if (!nameId) throw invalidMessage('The LogoutRequest must name the user with a NameID.');
  return {
    id: idAttr(root),
    version: attr(root, 'Version') ?? '',
    issueInstant: dateAttr(root, 'IssueInstant', true)!,
    destination: attr(root, 'Destination'),
    notOnOrAfter: dateAttr(root, 'NotOnOrAfter', false),
    issuer: issuerOf(root),
    nameId: textOf(nameId),
    sessionIndexes: childrenNS(root, NS.protocol, 'SessionIndex').map(textOf),
  };
}

export function readLogoutResponse(root: Element): LogoutResponseMessage {
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutResponse') throw invalidMessage('The message is not a LogoutResponse.');
  return { id: idAttr(root), inResponseTo: attr(root, 'InResponseTo'), issuer: issuerOf(root), status: readStatus(root) };
}

export interface LogoutTarget {
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  spIssuer: string;
}

function issuer(entityId: string) {
  return el('saml:Issuer', { Format: NAMEID_FORMAT.entity }, [entityId]);
}

/** Our LogoutRequest to a session participant (core 3.7.1), naming the NameID and SessionIndex we issued to it. */
export function buildLogoutRequest(entityId: string, destination: string, target: LogoutTarget, now: number): { id: string; xml: string } {
  const id = newSamlId();
  const persistent = target.nameIdFormat === NAMEID_FORMAT.persistent;
  const xml = serialize(
    el('samlp:LogoutRequest', { 'xmlns:samlp': NS.protocol, 'xmlns:saml': NS.assertion, ID: id, Version: '2.0', IssueInstant: instant(now), Destination: destination, NotOnOrAfter: instant(now + 5 * 60_000), Reason: 'urn:oasis:names:tc:SAML:2.0:logout:user' }, [
      issuer(entityId),
      el('saml:NameID', { Format: target.nameIdFormat, NameQualifier: persistent ? entityId : undefined, SPNameQualifier: persistent ? target.spIssuer : undefined }, [target.nameId]),
      el('samlp:SessionIndex', {}, [target.sessionIndex]),
    ]),
  );
  return { id, xml };
}

/** Our LogoutResponse (core 3.7.2) to the SP that asked for the logout. */
export function buildLogoutResponse(entityId: string, destination: string, inResponseTo: string, status: SamlStatus, now: number): string {
  return serialize(
    el('samlp:LogoutResponse', { 'xmlns:samlp': NS.protocol, 'xmlns:saml': NS.assertion, ID: newSamlId(), Version: '2.0', IssueInstant: instant(now), Destination: destination, InResponseTo: inResponseTo }, [
      issuer(entityId),
      statusElement(status),
    ]),
  );
}

/** Signs a message's root for the POST binding (the Signature follows the Issuer). */
export function signRoot(xml: string, rootName: string, key: SigningKey): string {
  return signEnveloped(xml, key, xpathOf.root(rootName), { reference: xpathOf.rootIssuer(rootName), action: 'after' });
}

/** Delivers a message through the browser by the given binding, signed with our key. */
export function sendByBinding(binding: Binding, location: string, kind: MessageKind, rootName: string, xml: string, relayState: string | undefined, key: SigningKey): FrontResponse {
  if (binding === 'redirect') return { kind: 'redirect', location: redirectUrl(location, kind, xml, relayState, key) };
  return autoPostPage(location, { [kind]: encodePostMessage(signRoot(xml, rootName, key)), RelayState: relayState }, 'Signing out');
}
