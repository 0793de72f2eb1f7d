// The sample's SAML service provider, on @node-saml/node-saml so that the IdP's messages are checked by an
// implementation that shares no code with Portcullis. node-saml does the signature, audience, time and
// InResponseTo checks; this class adds what it leaves out (the assertion issuer, the Destination, that a
// LogoutResponse answers one of our requests, the Status of a POSTed LogoutResponse) and re-reads the
// metadata when a signature does not verify, so the IdP can roll its signing key.
import type * as NodeSaml from '@node-saml/node-saml';
import type { Profile, SAML } from '@node-saml/node-saml';
import { loadIdpMetadata, POST_BINDING, REDIRECT_BINDING, type IdpMetadata } from './idp-metadata.ts';
import { RequestIdCache } from './request-id-cache.ts';
import { decodeMessage, SUCCESS, summarise, type MessageSummary, type SamlStatus } from './saml-messages.ts';
import { toSession, type NewSession } from './profile.ts';

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
/** A refused signature re-reads the metadata at most this often, so forged messages cannot hammer the IdP. */
const REFETCH_INTERVAL_MS = 30_000;

/** A message the sample refuses, or a SAML error the IdP reported; shown to the user on the error page. */
export class SamlFailure extends Error {
  constructor(
    message: string,
    readonly status?: SamlStatus,
  ) {
    super(message);
  }
}

export interface ServiceProviderOptions {
  issuer: string;
  acsUrl: string;
  metadataUrl: string;
  ca: string | undefined;
}

export type LogoutMessage = { kind: 'response' } | { kind: 'request'; nameID: string; sessionIndex: string | undefined; responseUrl: string };

// node-saml and its XML libraries are loaded by the first login, not when the sample starts: a server that runs
// the sample beside it but never uses it does not carry them (about 5 MB).
let library: Promise<typeof NodeSaml> | undefined;
const nodeSaml = () => (library ??= import('@node-saml/node-saml'));

export class ServiceProvider {
  private metadata: IdpMetadata | undefined;
  private lastRefresh = 0;
  private readonly cache = new RequestIdCache();

  constructor(private readonly options: ServiceProviderOptions) {}

  /** Reads the IdP metadata now; later calls reuse it until a signature fails. */
  async load(): Promise<IdpMetadata> {
    this.metadata = await loadIdpMetadata(this.options.metadataUrl, this.options.ca);
    return this.metadata;
  }

  private async idp(): Promise<IdpMetadata> {
    if (this.metadata) return this.metadata;
    try {
      return await this.load();
    } catch (err) {
      throw new SamlFailure(`The identity provider's metadata could not be read: ${(err as Error).message}`);
    }
  }

  private async saml(idp: IdpMetadata, binding = REDIRECT_BINDING): Promise<SAML> {
    const { SAML, ValidateInResponseTo } = await nodeSaml();
    const entryPoint = idp.sso.get(binding);
    if (!entryPoint) throw new SamlFailure(`The identity provider offers no SingleSignOnService for ${binding}.`);
    const slo = idp.slo.get(REDIRECT_BINDING);
    return new SAML({
      issuer: this.options.issuer,
      callbackUrl: this.options.acsUrl,
      entryPoint,
      logoutUrl: slo?.location ?? '',
      idpCert: idp.signingCertificates,
      idpIssuer: idp.entityId,
      audience: this.options.issuer,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: RequestIdCache.LIFETIME_MS,
      cacheProvider: this.cache,
      identifierFormat: UNSPECIFIED,
      // The IdP decides how strong the login is (the application's steps); asking for a class would refuse TOTP.
      disableRequestedAuthnContext: true,
      // The POST binding carries plain base64 XML (SAML Bindings 3.5.4); only Redirect deflates.
      skipRequestCompression: binding === POST_BINDING,
      acceptedClockSkewMs: 30_000,
    });
  }

  async loginRedirectUrl(): Promise<string> {
    return (await this.saml(await this.idp())).getAuthorizeUrlAsync('', undefined, {});
  }

  async loginPostForm(): Promise<{ action: string; fields: Record<string, string> }> {
    const idp = await this.idp();
    const message = await (await this.saml(idp, POST_BINDING)).getAuthorizeMessageAsync('', undefined, {});
    const fields = Object.fromEntries(Object.entries(message).map(([k, v]) => [k, String(v)]));
    return { action: idp.sso.get(POST_BINDING)!, fields };
  }

  /** The ACS: checks a POSTed Response and returns the session it establishes. */
  async acceptLogin(samlResponse: string): Promise<NewSession> {
    const summary = summarise(decodeMessage(samlResponse, false));
    if (summary?.root !== 'Response') throw new SamlFailure('The message is not a SAML Response.');
    if (summary.destination && summary.destination !== this.options.acsUrl) throw new SamlFailure('The SAML Response is addressed to another URL.');
    const result = await this.verified(summary, async (idp) => (await this.saml(idp)).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    const profile = result.profile;
    if (!profile) throw new SamlFailure('The SAML Response carried no assertion.');
    // node-saml checks the Response's issuer only for logout messages; the assertion must come from our IdP too.
    if (profile.issuer !== this.metadata?.entityId) throw new SamlFailure('The assertion was issued by another identity provider.');
    return toSession(profile);
  }

  async logoutUrl(session: Pick<Profile, 'issuer' | 'nameID' | 'nameIDFormat' | 'sessionIndex' | 'nameQualifier' | 'spNameQualifier'>): Promise<string> {
    const idp = await this.idp();
    if (!idp.slo.get(REDIRECT_BINDING)) throw new SamlFailure('The identity provider offers no SingleLogoutService for HTTP-Redirect.');
    return (await this.saml(idp)).getLogoutUrlAsync(session as Profile, '', {});
  }

  /** A LogoutResponse or LogoutRequest from the IdP, by either binding (`rawQuery` for Redirect). */
  async acceptLogout(fields: Record<string, string>, rawQuery: string | undefined): Promise<LogoutMessage> {
    const redirect = rawQuery !== undefined;
    const isRequest = fields.SAMLRequest !== undefined;
    const summary = summarise(decodeMessage(fields.SAMLRequest ?? fields.SAMLResponse ?? '', redirect));
    if (summary?.root !== (isRequest ? 'LogoutRequest' : 'LogoutResponse')) throw new SamlFailure('The message is not a SAML logout message.');
    // node-saml accepts an unsigned Redirect-binding message; a logout message we act on must be signed.
    if (redirect && !fields.Signature) throw new SamlFailure('The logout message is not signed.');
    if (!isRequest) {
      if (!summary.inResponseTo) throw new SamlFailure('The LogoutResponse does not answer a logout request of this application.');
      const result = await this.verified(summary, async (idp) => (redirect ? (await this.saml(idp)).validateRedirectAsync(fields, rawQuery) : (await this.saml(idp)).validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! })));
      // The POST path of node-saml does not look at a LogoutResponse's Status.
      if (summary.status?.code !== SUCCESS) throw new SamlFailure('The identity provider could not log you out everywhere.', summary.status);
      if (!result.loggedOut) throw new SamlFailure('The message is not a LogoutResponse.');
      await this.cache.removeAsync(summary.inResponseTo);
      return { kind: 'response' };
    }
    const result = await this.verified(summary, async (idp) => (redirect ? (await this.saml(idp)).validateRedirectAsync(fields, rawQuery) : (await this.saml(idp)).validatePostRequestAsync({ SAMLRequest: fields.SAMLRequest! })));
    const profile = result.profile;
    if (!profile?.nameID) throw new SamlFailure('The LogoutRequest names no user.');
    const idp = this.metadata!;
    const slo = idp.slo.get(REDIRECT_BINDING);
    const { SAML } = await nodeSaml();
    const answer = new SAML({ ...(await this.saml(idp)).options, logoutUrl: slo?.responseLocation ?? slo?.location ?? '' });
    const responseUrl = await answer.getLogoutResponseUrlAsync(profile, fields.RelayState ?? '', {}, true);
    return { kind: 'request', nameID: profile.nameID, sessionIndex: profile.sessionIndex, responseUrl };
  }

  /**
   * Runs a node-saml check; when it fails on a signature, re-reads the metadata (the IdP may have rolled its
   * key) and, if the certificates changed, checks once more. A reported error Status wins over other reasons.
   */
  private async verified<T>(summary: MessageSummary, check: (idp: IdpMetadata) => Promise<T>): Promise<T> {
    const idp = await this.idp();
    // node-saml forgets a request id when a check fails; keep it so the second check can still match it.
    const pending = summary.inResponseTo ? await this.cache.getAsync(summary.inResponseTo) : null;
    try {
      return await check(idp);
    } catch (err) {
      const reported = summary.status && summary.status.code !== SUCCESS ? summary.status : undefined;
      if (reported) throw new SamlFailure('Portcullis did not log you in; it answered with this status.', reported);
      if (!/signature/i.test((err as Error).message) || !(await this.refresh())) throw refused(err);
      if (summary.inResponseTo && pending) await this.cache.saveAsync(summary.inResponseTo, pending);
      try {
        return await check(this.metadata!);
      } catch (again) {
        throw refused(again);
      }
    }
  }

  /** Re-reads the metadata; true when the signing certificates changed. */
  private async refresh(): Promise<boolean> {
    if (Date.now() - this.lastRefresh < REFETCH_INTERVAL_MS) return false;
    this.lastRefresh = Date.now();
    const before = this.metadata?.signingCertificates.join() ?? '';
    try {
      return (await this.load()).signingCertificates.join() !== before;
    } catch {
      return false;
    }
  }
}

function refused(err: unknown): SamlFailure {
  return err instanceof SamlFailure ? err : new SamlFailure(`The SAML message was refused: ${(err as Error).message}`);
}
