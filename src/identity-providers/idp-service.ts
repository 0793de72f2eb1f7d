// The admin use-cases on a tenant's identity providers (REST API, console) and on linked accounts (admin API,
// My Account). Every change is audited with who acted. Settings are checked here, once, for every door.
import { X509Certificate } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import type { Clock } from '../time/clock.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { AdminRequest } from '../users/user-admin.ts';
import type { Association, AssociationStore } from './associations.ts';
import { IDP_TYPES, JIT_MODES, type IdentityProvider, type IdpSecrets, type SamlUpstream } from './identity-provider.ts';
import type { IdpStore, NewProvider } from './idp-store.ts';

type TenantRef = { id: string; domain: string };

/** A provider as an admin sends it; a secret left undefined keeps the stored one. */
export type IdpInput = Omit<NewProvider, 'tenantId' | 'secrets'> & { secrets: IdpSecrets };

export interface IdpServiceDeps {
  store: IdpStore;
  associations: AssociationStore;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
}

const NAME = /^[^\s/:\p{Cc}][^/:\p{Cc}]{0,127}$/u;
const CLAIM_URI = /^[\x21-\x7e]{1,255}$/;

function invalid(description: string): AppError {
  return new AppError('IDP-40001', { description });
}

/** Checks a provider's settings; the description names the field at fault. */
export function checkProvider(input: IdpInput): void {
  if (!NAME.test(input.name) || input.name.trim() !== input.name) throw invalid('name: 1 to 128 characters, no "/" or ":", no leading or trailing space.');
  if (!(IDP_TYPES as readonly string[]).includes(input.type)) throw invalid(`type: one of ${IDP_TYPES.join(', ')}.`);
  const s = input.settings;
  if (input.type === 'oidc') {
    const o = s.oidc;
    if (!o) throw invalid('An OpenID Connect provider needs its issuer, client id and client secret.');
    let url: URL;
    try {
      url = new URL(o.issuer);
    } catch {
      throw invalid('Issuer: an https URL.');
    }
    if (url.protocol !== 'https:' || url.search || url.hash || url.username) throw invalid('Issuer: an https URL without query, fragment or credentials.');
    if (!o.clientId || o.clientId.length > 255) throw invalid('ClientId: required, at most 255 characters.');
    if (!o.scopes.includes('openid') || o.scopes.some((x) => !/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(x))) throw invalid('Scopes: space-separated scope names including "openid".');
  }
  if (input.type === 'saml') checkSaml(s.saml);
  if (s.claimMappings.length > 100) throw invalid('claims.mappings: at most 100.');
  for (const m of s.claimMappings) {
    if (!CLAIM_URI.test(m.remote) || !CLAIM_URI.test(m.local)) throw invalid('claims.mappings: each needs idpClaim and localClaim.uri (printable, at most 255 characters).');
  }
  if (s.userIdClaim && !CLAIM_URI.test(s.userIdClaim)) throw invalid('claims.userIdClaim.uri: printable, at most 255 characters.');
  if (!(JIT_MODES as readonly string[]).includes(s.provisioning.jit)) throw invalid(`provisioning.jit: one of ${JIT_MODES.join(', ')}.`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(s.provisioning.userstore)) throw invalid('provisioning.jit.userstore: a user store domain, e.g. PRIMARY.');
}

const ENTITY_ID = /^[\x21-\x7e]{1,1024}$/;

/** An upstream SAML 2.0 IdP's settings (WSO2's SAMLSSOAuthenticator properties; the description names the key). */
function checkSaml(o: SamlUpstream | undefined): void {
  if (!o) throw invalid('A SAML 2.0 provider needs IdPEntityId, SPEntityId, SSOUrl and a certificate.');
  if (!ENTITY_ID.test(o.idpEntityId)) throw invalid('IdPEntityId: required, printable, at most 1024 characters, no spaces.');
  if (!ENTITY_ID.test(o.spEntityId)) throw invalid('SPEntityId: required, printable, at most 1024 characters, no spaces.');
  let url: URL;
  try {
    url = new URL(o.ssoUrl);
  } catch {
    throw invalid('SSOUrl: an https URL.');
  }
  if (url.protocol !== 'https:' || url.hash || url.username || url.password || o.ssoUrl.length > 2048) throw invalid('SSOUrl: an https URL without fragment or credentials.');
  if (o.requestBinding !== 'redirect' && o.requestBinding !== 'post') throw invalid('RequestMethod: redirect or post.');
  if (!/^[\x21-\x7e]{1,256}$/.test(o.nameIdFormat)) throw invalid('NameIDType: a NameID format URI.');
  if (o.certificates.length === 0 || o.certificates.length > 10) throw invalid('certificate.certificates: 1 to 10 certificates of the IdP (PEM; in the REST API, the Base64 of each PEM).');
  for (const pem of o.certificates) {
    if (!certificateInfo(pem)) throw invalid('certificate.certificates: each must be an X.509 certificate with an RSA key (PEM; in the REST API, the Base64 of each PEM).');
  }
}

/** A certificate's subject and expiry (for the API), or undefined when it does not parse or is not RSA. */
export function certificateInfo(pem: string): { subject: string; validTo: string } | undefined {
  try {
    const cert = new X509Certificate(pem);
    if (cert.publicKey.asymmetricKeyType !== 'rsa') return undefined;
    return { subject: cert.subject.replace(/\n/g, ', '), validTo: new Date(cert.validTo).toISOString() };
  } catch {
    return undefined;
  }
}

export class IdpService {
  constructor(private readonly deps: IdpServiceDeps) {}

  list(tenant: TenantRef): Promise<IdentityProvider[]> {
    return this.deps.store.list(tenant.id);
  }

  async get(tenant: TenantRef, id: string): Promise<IdentityProvider> {
    const idp = await this.deps.store.get(tenant.id, id.slice(0, 36));
    if (!idp) throw new AppError('IDP-40401');
    return idp;
  }

  /** For the login: an enabled provider by name, or undefined. */
  async enabledByName(tenant: TenantRef, name: string): Promise<IdentityProvider | undefined> {
    const idp = await this.deps.store.byName(tenant.id, name.slice(0, 128));
    return idp?.enabled ? idp : undefined;
  }

  async create(req: AdminRequest, input: IdpInput): Promise<IdentityProvider> {
    checkProvider(input);
    if (input.type === 'oidc' && !input.secrets.clientSecret) throw invalid('ClientSecret: required.');
    const created = await this.deps.store.insert({ ...input, tenantId: req.tenant.id }, this.deps.clock.now());
    if (!created) throw new AppError('IDP-40901');
    await this.audit(req, 'idp.created', created.name);
    return created;
  }

  async update(req: AdminRequest, id: string, input: IdpInput): Promise<IdentityProvider> {
    const current = await this.get(req.tenant, id);
    if (input.type !== current.type) throw invalid('type: cannot change; add a new provider instead.');
    checkProvider(input);
    const secrets: IdpSecrets = { ...current.secrets, ...Object.fromEntries(Object.entries(input.secrets).filter(([, v]) => v !== undefined && v !== '')) };
    if (!(await this.deps.store.update(current, { ...input, secrets, tenantId: req.tenant.id }, this.deps.clock.now()))) throw new AppError('IDP-40901');
    await this.audit(req, 'idp.updated', input.name);
    return this.get(req.tenant, id);
  }

  async remove(req: AdminRequest, id: string): Promise<void> {
    const current = await this.get(req.tenant, id);
    await this.deps.store.delete(current);
    await this.audit(req, 'idp.deleted', current.name);
  }

  /** The accounts linked to a user, with their provider's name. */
  async associationsOf(tenant: TenantRef, user: UserRecord): Promise<(Association & { idpName: string })[]> {
    const links = await this.deps.associations.ofUser(tenant.id, user.id);
    const idps = new Map((await this.list(tenant)).map((i) => [i.id, i.name]));
    return links.map((a) => ({ ...a, idpName: idps.get(a.idpId) ?? '' }));
  }

  /** Links an upstream account to a user (an admin, or the user after signing in upstream). */
  async link(req: AdminRequest, user: UserRecord, idpId: string, idpUserId: string): Promise<Association> {
    const idp = await this.get(req.tenant, idpId);
    if (!idpUserId || idpUserId.length > 255) throw invalid('federatedUserId: 1 to 255 characters.');
    const made = await this.deps.associations.link(req.tenant.id, idp.id, idpUserId, user.id, this.deps.clock.now());
    if (!made) throw new AppError('IDP-40902');
    await this.audit(req, 'federation.linked', idp.name, user);
    return made;
  }

  async unlink(req: AdminRequest, user: UserRecord, associationId: string): Promise<void> {
    const removed = await this.deps.associations.unlink(req.tenant.id, user.id, associationId.slice(0, 36));
    if (!removed) throw new AppError('IDP-40402');
    const idp = await this.deps.store.get(req.tenant.id, removed.idpId);
    await this.audit(req, 'federation.unlinked', idp?.name ?? removed.idpId, user);
  }

  private async audit(req: AdminRequest, event: 'idp.created' | 'idp.updated' | 'idp.deleted' | 'federation.linked' | 'federation.unlinked', reason: string, user?: UserRecord): Promise<void> {
    await this.deps.audit.record({ tenantId: req.tenant.id, event, outcome: 'success', user, actor: req.actor, application: req.via, reason, traceId: req.traceId, remoteAddress: req.remoteAddress });
  }
}
