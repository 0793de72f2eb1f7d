// The identity provider form of the console: what it shows (a stored provider, or what the admin typed after a
// refusal) and the IdpInput it makes for IdpService, which validates it (one door with the REST API). The client
// secret is write-only: never rendered, never kept in a re-shown form, and an empty field keeps the stored one.
import { IDP_TYPES, JIT_MODES, type IdentityProvider, type IdpType, type JitMode, type SamlUpstream } from '../../identity-providers/identity-provider.ts';
import type { IdpInput } from '../../identity-providers/idp-service.ts';
import { text, values, type Form } from './forms.ts';

export const DEFAULT_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** Everything the form shows, as text; the secret is not here on purpose. */
export interface IdpFormValues {
  type: IdpType;
  name: string;
  description: string;
  enabled: boolean;
  issuer: string;
  clientId: string;
  scopes: string;
  idpEntityId: string;
  ssoUrl: string;
  spEntityId: string;
  requestBinding: SamlUpstream['requestBinding'];
  signAuthnRequest: boolean;
  requireSignedAssertion: boolean;
  requireSignedResponse: boolean;
  certificates: string;
  nameIdFormat: string;
  mappings: { remote: string; local: string }[];
  userIdClaim: string;
  jit: JitMode;
  userstore: string;
}

export function typeOf(raw: string): IdpType | undefined {
  return (IDP_TYPES as readonly string[]).includes(raw) ? (raw as IdpType) : undefined;
}

export function blankValues(type: IdpType): IdpFormValues {
  return {
    type,
    name: '',
    description: '',
    enabled: true,
    issuer: '',
    clientId: '',
    scopes: 'openid email profile',
    idpEntityId: '',
    ssoUrl: '',
    spEntityId: '',
    requestBinding: 'redirect',
    signAuthnRequest: true,
    requireSignedAssertion: true,
    requireSignedResponse: false,
    certificates: '',
    nameIdFormat: DEFAULT_NAME_ID_FORMAT,
    mappings: [],
    userIdClaim: '',
    jit: 'off',
    userstore: 'PRIMARY',
  };
}

export function valuesOf(idp: IdentityProvider): IdpFormValues {
  const s = idp.settings;
  const blank = blankValues(idp.type);
  return {
    ...blank,
    name: idp.name,
    description: idp.description,
    enabled: idp.enabled,
    ...(s.oidc ? { issuer: s.oidc.issuer, clientId: s.oidc.clientId, scopes: s.oidc.scopes.join(' ') } : {}),
    ...(s.saml ? { ...s.saml, requireSignedResponse: s.saml.requireSignedResponse === true, certificates: s.saml.certificates.join('\n') } : {}),
    mappings: s.claimMappings.map((m) => ({ ...m })),
    userIdClaim: s.userIdClaim,
    jit: s.provisioning.jit,
    userstore: s.provisioning.userstore,
  };
}

/** What was posted. Mapping rows come as repeated mappingRemote/mappingLocal fields; a ticked "remove" drops its row. */
export function valuesFromForm(type: IdpType, form: Form): IdpFormValues {
  const remotes = values(form, 'mappingRemote');
  const locals = values(form, 'mappingLocal');
  const removed = new Set(values(form, 'removeMapping'));
  const mappings = remotes
    .map((remote, i) => ({ remote: remote.trim(), local: (locals[i] ?? '').trim(), i }))
    .filter((m) => !removed.has(String(m.i)) && (m.remote !== '' || m.local !== ''))
    .map(({ remote, local }) => ({ remote, local }));
  const jit = text(form, 'jit');
  const binding = text(form, 'requestBinding');
  return {
    type,
    name: text(form, 'name').trim(),
    description: text(form, 'description').trim(),
    enabled: text(form, 'enabled') === 'yes',
    issuer: text(form, 'issuer').trim(),
    clientId: text(form, 'clientId').trim(),
    scopes: text(form, 'scopes').trim(),
    idpEntityId: text(form, 'idpEntityId').trim(),
    ssoUrl: text(form, 'ssoUrl').trim(),
    spEntityId: text(form, 'spEntityId').trim(),
    requestBinding: binding === 'post' ? 'post' : 'redirect',
    signAuthnRequest: text(form, 'signAuthnRequest') === 'yes',
    requireSignedAssertion: text(form, 'requireSignedAssertion') === 'yes',
    requireSignedResponse: text(form, 'requireSignedResponse') === 'yes',
    certificates: text(form, 'certificates'),
    nameIdFormat: text(form, 'nameIdFormat').trim(),
    mappings,
    userIdClaim: text(form, 'userIdClaim').trim(),
    // An unknown value is passed on as typed, so the service refuses it by name.
    jit: ((JIT_MODES as readonly string[]).includes(jit) ? jit : jit || 'off') as JitMode,
    userstore: text(form, 'userstore').trim(),
  };
}

/** The PEM certificates in the text area; text that holds none is passed on whole, for the service to refuse. */
function certificatesOf(textValue: string): string[] {
  const pems = textValue.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length > 0) return pems;
  return textValue.trim() ? [textValue.trim()] : [];
}

/** The provider IdpService gets; the secret only when one was typed (empty keeps the stored one). */
export function inputOf(v: IdpFormValues, clientSecret: string): IdpInput {
  return {
    name: v.name,
    type: v.type,
    description: v.description,
    enabled: v.enabled,
    settings: {
      ...(v.type === 'oidc' ? { oidc: { issuer: v.issuer, clientId: v.clientId, scopes: v.scopes.split(/\s+/).filter(Boolean) } } : {}),
      ...(v.type === 'saml'
        ? {
            saml: {
              idpEntityId: v.idpEntityId,
              ssoUrl: v.ssoUrl,
              spEntityId: v.spEntityId,
              requestBinding: v.requestBinding,
              signAuthnRequest: v.signAuthnRequest,
              requireSignedAssertion: v.requireSignedAssertion,
              requireSignedResponse: v.requireSignedResponse,
              certificates: certificatesOf(v.certificates),
              nameIdFormat: v.nameIdFormat,
            },
          }
        : {}),
      claimMappings: v.mappings,
      userIdClaim: v.userIdClaim,
      provisioning: { jit: v.jit, userstore: v.userstore },
    },
    secrets: clientSecret ? { clientSecret } : {},
  };
}

const JIT_LABELS: Record<JitMode, string> = {
  off: 'Off: only accounts already linked (or found by the TOTP step) sign in',
  on: 'On: create the account silently at the first sign-in',
  prompt: 'Prompt: the user picks a local user name and password at the first sign-in',
};

/** The view model of console/identity_provider.eta. */
export function formView(v: IdpFormValues, stores: string[], extraRows = 0) {
  const rows = [...v.mappings, ...Array.from({ length: Math.max(1, extraRows) }, () => ({ remote: '', local: '' }))];
  return {
    ...v,
    oidc: v.type === 'oidc',
    saml: v.type === 'saml',
    mappings: rows.map((m, i) => ({ ...m, index: String(i), blank: i >= v.mappings.length })),
    jitModes: JIT_MODES.map((m) => ({ value: m, label: JIT_LABELS[m], selected: m === v.jit })),
    stores: [...new Set([...stores, ...(v.userstore ? [v.userstore] : [])])].map((d) => ({ value: d, selected: d === v.userstore })),
    bindings: [
      { value: 'redirect', label: 'HTTP-Redirect', selected: v.requestBinding === 'redirect' },
      { value: 'post', label: 'HTTP-POST', selected: v.requestBinding === 'post' },
    ],
  };
}
