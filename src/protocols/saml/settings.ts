// An application's SAML settings, in WSO2's application API shape (inboundProtocolConfiguration.saml
// .manualConfiguration), validated strictly: a typo is an error naming the field, never a silently ignored
// key. The registered ACS URLs are the only places responses are ever posted to.
import { X509Certificate } from 'node:crypto';
import type { Application } from '../../applications/application.ts';
import type { InboundProtocol } from '../../applications/application-service.ts';
import { AppError } from '../../errors/app-error.ts';
import { SUPPORTED_NAMEID_FORMATS, NAMEID_FORMAT } from '../../saml-core/constants.ts';

export const SAML_PROTOCOL = 'saml';

export const LOGOUT_METHODS = ['BACKCHANNEL', 'FRONTCHANNEL_HTTP_REDIRECT', 'FRONTCHANNEL_HTTP_POST'] as const;
export type LogoutMethod = (typeof LOGOUT_METHODS)[number];
const BINDINGS = ['HTTP_POST', 'HTTP_REDIRECT', 'ARTIFACT'] as const;

export interface SamlSettings {
  issuer: string;
  assertionConsumerUrls: string[];
  defaultAssertionConsumerUrl: string;
  singleSignOnProfile: { bindings: string[]; assertion: { nameIdFormat: string } };
  singleLogoutProfile: { enabled: boolean; logoutRequestUrl: string; logoutResponseUrl: string; logoutMethod: LogoutMethod };
  requestValidation: { enableSignatureValidation: boolean; certificate?: string };
  responseSigning: { enabled: boolean };
  idpInitiatedSingleSignOn: { enabled: boolean };
  attributeProfile: { enabled: boolean };
}

type Obj = Record<string, unknown>;

function fail(description: string, protocol = 'saml'): never {
  throw new AppError('APP-40001', { description: `inboundProtocolConfiguration.${protocol}: ${description}` });
}

/** An object with only the allowed keys. */
function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${path} must be an object.`);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) fail(`${path}.${unknown[0]} is not a supported setting (supported: ${allowed.join(', ')}).`);
  return value as Obj;
}

function bool(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${path} must be true or false.`);
  return value;
}

/**
 * An absolute http(s) URL without fragment or credentials (a fragment would be dropped by browsers anyway);
 * `protocol` names the settings in the refusal (OIDC's redirect URIs are checked here too).
 */
export function checkUrl(value: unknown, path: string, protocol = 'saml'): string {
  if (typeof value !== 'string' || value.length > 2048) fail(`${path} must be an absolute http(s) URL.`, protocol);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${path} must be an absolute http(s) URL.`, protocol);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${path} must use http or https.`, protocol);
  if (value.includes('#')) fail(`${path} must not have a fragment.`, protocol);
  if (url.username || url.password) fail(`${path} must not contain credentials.`, protocol);
  return value;
}

function optionalUrl(value: unknown, path: string): string {
  return value === undefined || value === '' ? '' : checkUrl(value, path);
}

/** A PEM or bare Base64 DER X.509 certificate, returned as PEM. */
function certificate(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > 16384) fail(`${path} must be an X.509 certificate (PEM).`);
  const body = value.includes('-----BEGIN') ? value : `-----BEGIN CERTIFICATE-----\n${value.replace(/\s+/g, '')}\n-----END CERTIFICATE-----\n`;
  try {
    const cert = new X509Certificate(body);
    if (cert.publicKey.asymmetricKeyType !== 'rsa') fail(`${path} must hold an RSA public key.`);
    return cert.toString();
  } catch (err) {
    if (err instanceof AppError) throw err;
    fail(`${path} is not a valid X.509 certificate.`);
  }
}

export function validateSettings(input: unknown): SamlSettings {
  const top = object(input, 'saml', ['manualConfiguration']);
  const m = object(top.manualConfiguration, 'manualConfiguration', [
    'issuer', 'assertionConsumerUrls', 'defaultAssertionConsumerUrl', 'singleSignOnProfile', 'singleLogoutProfile',
    'requestValidation', 'responseSigning', 'idpInitiatedSingleSignOn', 'attributeProfile',
  ]);
  if (top.manualConfiguration === undefined) fail('manualConfiguration is required (metadata files and URLs are not supported).');
  const issuer = m.issuer;
  if (typeof issuer !== 'string' || issuer.length < 1 || issuer.length > 255 || issuer.trim() !== issuer || /\p{Cc}/u.test(issuer)) {
    fail('issuer is required: 1 to 255 characters, no surrounding spaces or control characters.');
  }
  if (!Array.isArray(m.assertionConsumerUrls) || m.assertionConsumerUrls.length === 0 || m.assertionConsumerUrls.length > 20) {
    fail('assertionConsumerUrls must list 1 to 20 URLs.');
  }
  const acs = m.assertionConsumerUrls.map((u, i) => checkUrl(u, `assertionConsumerUrls[${i}]`));
  if (new Set(acs).size !== acs.length) fail('assertionConsumerUrls has duplicates.');
  const defaultAcs = m.defaultAssertionConsumerUrl === undefined ? acs[0]! : checkUrl(m.defaultAssertionConsumerUrl, 'defaultAssertionConsumerUrl');
  if (!acs.includes(defaultAcs)) fail('defaultAssertionConsumerUrl must be one of assertionConsumerUrls.');

  const sso = object(m.singleSignOnProfile, 'singleSignOnProfile', ['bindings', 'assertion']);
  const bindings = sso.bindings === undefined ? ['HTTP_POST', 'HTTP_REDIRECT'] : sso.bindings;
  if (!Array.isArray(bindings) || bindings.length === 0 || bindings.some((b) => !(BINDINGS as readonly unknown[]).includes(b))) {
    fail(`singleSignOnProfile.bindings must list some of ${BINDINGS.join(', ')}.`);
  }
  const assertion = object(sso.assertion, 'singleSignOnProfile.assertion', ['nameIdFormat']);
  const nameIdFormat = assertion.nameIdFormat ?? NAMEID_FORMAT.unspecified;
  if (typeof nameIdFormat !== 'string' || !SUPPORTED_NAMEID_FORMATS.includes(nameIdFormat)) {
    fail(`singleSignOnProfile.assertion.nameIdFormat must be one of ${SUPPORTED_NAMEID_FORMATS.join(', ')}.`);
  }

  const slo = object(m.singleLogoutProfile, 'singleLogoutProfile', ['enabled', 'logoutRequestUrl', 'logoutResponseUrl', 'logoutMethod']);
  const logoutMethod = slo.logoutMethod ?? 'BACKCHANNEL';
  if (!(LOGOUT_METHODS as readonly unknown[]).includes(logoutMethod)) fail(`singleLogoutProfile.logoutMethod must be one of ${LOGOUT_METHODS.join(', ')}.`);

  const rv = object(m.requestValidation, 'requestValidation', ['enableSignatureValidation', 'certificate']);
  const enableSignatureValidation = bool(rv.enableSignatureValidation, 'requestValidation.enableSignatureValidation', false);
  if (enableSignatureValidation && (rv.certificate === undefined || rv.certificate === '')) fail('requestValidation.certificate is required when enableSignatureValidation is true.');
  const cert = rv.certificate === undefined || rv.certificate === '' ? undefined : certificate(rv.certificate, 'requestValidation.certificate');

  return {
    issuer,
    assertionConsumerUrls: acs,
    defaultAssertionConsumerUrl: defaultAcs,
    singleSignOnProfile: { bindings: [...new Set(bindings as string[])], assertion: { nameIdFormat } },
    singleLogoutProfile: {
      enabled: bool(slo.enabled, 'singleLogoutProfile.enabled', false),
      logoutRequestUrl: optionalUrl(slo.logoutRequestUrl, 'singleLogoutProfile.logoutRequestUrl'),
      logoutResponseUrl: optionalUrl(slo.logoutResponseUrl, 'singleLogoutProfile.logoutResponseUrl'),
      logoutMethod: logoutMethod as LogoutMethod,
    },
    requestValidation: { enableSignatureValidation, ...(cert ? { certificate: cert } : {}) },
    responseSigning: { enabled: bool(object(m.responseSigning, 'responseSigning', ['enabled']).enabled, 'responseSigning.enabled', false) },
    idpInitiatedSingleSignOn: { enabled: bool(object(m.idpInitiatedSingleSignOn, 'idpInitiatedSingleSignOn', ['enabled']).enabled, 'idpInitiatedSingleSignOn.enabled', false) },
    attributeProfile: { enabled: bool(object(m.attributeProfile, 'attributeProfile', ['enabled']).enabled, 'attributeProfile.enabled', true) },
  };
}

/** The InboundProtocol the application service uses: settings are stored as given, normalised. */
export const samlInboundProtocol: InboundProtocol = {
  protocol: SAML_PROTOCOL,
  async validate(input: unknown) {
    const settings = validateSettings(input);
    return { settings: { manualConfiguration: settings }, identifiers: [settings.issuer] };
  },
};

/** The stored (already validated) settings of an application, or undefined when it does not speak SAML. */
export function samlSettingsOf(app: Application): SamlSettings | undefined {
  const stored = app.inboundProtocols[SAML_PROTOCOL] as { manualConfiguration?: SamlSettings } | undefined;
  return stored?.manualConfiguration;
}

/** Where LogoutResponses go (WSO2: the response URL, else the request URL, else the default ACS). */
export function logoutResponseUrl(s: SamlSettings): string {
  return s.singleLogoutProfile.logoutResponseUrl || s.singleLogoutProfile.logoutRequestUrl || s.defaultAssertionConsumerUrl;
}

/** Where LogoutRequests go (WSO2: the request URL, else the default ACS). */
export function logoutRequestUrl(s: SamlSettings): string {
  return s.singleLogoutProfile.logoutRequestUrl || s.defaultAssertionConsumerUrl;
}
