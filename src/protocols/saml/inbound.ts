// Reading a SAML message from either binding into a parsed document, and deciding which element the caller
// may read fields from: with signature validation on, that is the verified message (the query signature
// covers the whole Redirect message; a POST message is re-read from the bytes its XML signature covers).
import { AppError } from '../../errors/app-error.ts';
import { MAX_RELAY_STATE_BYTES, type Binding } from '../../saml-core/constants.ts';
import { decodeMessage, parseRedirectQuery, signedOctets, type QueryParam } from '../../saml-core/redirect-binding.ts';
import type { SamlSettings } from './settings.ts';
import { verifyPostSignature, verifyQuerySignature } from '../../saml-core/signature.ts';
import { invalidMessage, parseSamlXml } from '../../saml-core/xml.ts';

export type MessageKind = 'SAMLRequest' | 'SAMLResponse';

export interface InboundMessage {
  binding: Binding;
  kind: MessageKind;
  xml: string;
  doc: Document;
  /** The root as received: use it only to find the application, then read fields from trustedRoot(). */
  root: Element;
  relayState: string | undefined;
  params: Map<string, QueryParam> | undefined;
}

/** Bindings 3.4.3 / 3.5.3: at most 80 bytes, and returned unchanged. */
function relayStateOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (Buffer.byteLength(value, 'utf8') > MAX_RELAY_STATE_BYTES) throw new AppError('SAML-40005');
  return value;
}

function build(binding: Binding, kind: MessageKind, xml: string, relayState: string | undefined, params?: Map<string, QueryParam>): InboundMessage {
  const doc = parseSamlXml(xml);
  return { binding, kind, xml, doc, root: doc.documentElement!, relayState: relayStateOf(relayState), params };
}

/** The message of a Redirect-binding URL, or undefined when the URL carries none. */
export function readRedirect(url: string): InboundMessage | undefined {
  const params = parseRedirectQuery(url);
  const kind: MessageKind | undefined = params.has('SAMLRequest') ? 'SAMLRequest' : params.has('SAMLResponse') ? 'SAMLResponse' : undefined;
  if (!kind) return undefined;
  if (params.has('SAMLRequest') && params.has('SAMLResponse')) throw invalidMessage('A URL carries one SAML message.');
  return build('redirect', kind, decodeMessage(params.get(kind)!.value), params.get('RelayState')?.value, params);
}

/** The message of a POST-binding form, or undefined when the form carries none. */
export function readPost(body: unknown): InboundMessage | undefined {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const kind: MessageKind | undefined = form.SAMLRequest !== undefined ? 'SAMLRequest' : form.SAMLResponse !== undefined ? 'SAMLResponse' : undefined;
  if (!kind) return undefined;
  const value = form[kind];
  const relayState = form.RelayState;
  if (typeof value !== 'string' || (relayState !== undefined && typeof relayState !== 'string')) throw invalidMessage('Each SAML form field may appear once.');
  if (form.SAMLRequest !== undefined && form.SAMLResponse !== undefined) throw invalidMessage('A form carries one SAML message.');
  return build('post', kind, decodeMessage(value), relayState as string | undefined);
}

/** Whether the application requires (and can check) signatures on what it sends us. */
export function requiresSignature(settings: SamlSettings): boolean {
  return settings.requestValidation.enableSignatureValidation;
}

/**
 * The root element to read fields from. Without signature validation, the message as received; with it, the
 * verified message, or SAML-40004 when it is unsigned, signed with another key or algorithm, or wrapped.
 */
export function trustedRoot(message: InboundMessage, settings: SamlSettings): Element {
  if (!requiresSignature(settings)) return message.root;
  const cert = settings.requestValidation.certificate!;
  if (message.binding === 'redirect') {
    const params = message.params!;
    verifyQuerySignature(signedOctets(params, message.kind), params.get('SigAlg')?.value, params.get('Signature')?.value, cert);
    return message.root;
  }
  return verifyPostSignature(message.xml, message.doc, cert);
}
