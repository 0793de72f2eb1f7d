// Turns node-saml's Profile of a verified assertion into what the sample keeps in its session and shows:
// the subject, every attribute (SAML Core 2.7.3), and how the user authenticated (AuthnContextClassRef).
import type { Profile } from '@node-saml/node-saml';
import type { SamlSession } from './sessions.ts';

export type NewSession = Omit<SamlSession, 'expiresAt'>;

type XmlJs = { _?: string; $?: Record<string, string> } & { [key: string]: unknown };

export function toSession(profile: Profile): NewSession {
  const statement = first(first(profile.getAssertion?.()?.Assertion)?.AuthnStatement);
  const classRef = first(first(first(statement?.AuthnContext)?.AuthnContextClassRef));
  const attributes = Object.entries((profile.attributes ?? {}) as Record<string, unknown>).map(
    ([name, value]) => [name, (Array.isArray(value) ? value : [value]).map(text)] as [string, string[]],
  );
  return {
    nameID: profile.nameID,
    nameIDFormat: profile.nameIDFormat,
    ...(profile.nameQualifier ? { nameQualifier: profile.nameQualifier } : {}),
    ...(profile.spNameQualifier ? { spNameQualifier: profile.spNameQualifier } : {}),
    ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}),
    issuer: profile.issuer,
    attributes,
    authnContextClassRef: classRef?._ ?? '',
    authnInstant: statement?.$?.AuthnInstant ?? '',
  };
}

function first(value: unknown): XmlJs | undefined {
  if (Array.isArray(value)) return value[0] as XmlJs | undefined;
  return value && typeof value === 'object' ? (value as XmlJs) : undefined;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as XmlJs)._ === 'string') return (value as XmlJs)._!;
  return value === undefined || value === null ? '' : JSON.stringify(value);
}
