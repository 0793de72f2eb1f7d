// A federated account's first login with JIT provisioning on (WSO2's "initial federation attempt", §3.5): the
// account does not exist here yet, so the secret lives only in this login's context, encrypted with the server
// keyring and bound to the context id; the QR label is WSO2's "<IdP name>:<email | given name | last name |
// user name>". Only when the user proves the secret with a correct code is the account provisioned (the
// provider's JIT store, mapped claims, linked) and the secret stored as its active credential, and the code's
// time step recorded as used, so that code cannot be replayed. Wrong codes are counted in the context: after
// MAX_FAILURES the login ends (there is no account to lock yet).
import type { TotpParameters } from '../../config/index.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import type { FederatedIdentity, IdentityProvider } from '../../identity-providers/identity-provider.ts';
import { base32Decode, base32Encode, buildOtpauthUri, createTotpVerifier, generateSecret, isWellFormedCode, renderQrPngDataUrl, type TotpAlgorithm, type TotpDigits } from '../../totp/index.ts';
import type { FormFields, PageModel, StepContext, StepOutcome } from '../authenticator.ts';
import type { TotpDeps } from './totp-deps.ts';

const MAX_FAILURES = 5;

interface FirstLogin {
  fedSecret?: string;
  fedAlgorithm?: TotpAlgorithm;
  fedDigits?: TotpDigits;
  fedPeriod?: number;
  fedEnrolling?: boolean;
  fedFailures?: number;
}

const boundTo = (ctx: StepContext) => `auth_context:${ctx.contextId}:federated_totp`;

function secretOf(deps: TotpDeps, ctx: StepContext): { key: Buffer; algorithm: TotpAlgorithm; digits: TotpDigits; period: number } | undefined {
  const s = ctx.state as FirstLogin;
  if (!s.fedSecret || !deps.seal) return undefined;
  return { key: base32Decode(deps.seal.decryptString(s.fedSecret, boundTo(ctx))), algorithm: s.fedAlgorithm ?? 'SHA1', digits: s.fedDigits ?? 6, period: s.fedPeriod ?? 30 };
}

export function firstLoginBegin(deps: TotpDeps, ctx: StepContext, params: TotpParameters): StepOutcome {
  const s = ctx.state as FirstLogin;
  if (!deps.seal || !params.enrolUserInAuthenticationFlow) {
    // No enrolment in the login: the account is provisioned at the end of the login (JIT), without TOTP.
    return params.authenticationMandatory ? { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } } : { kind: 'skip' };
  }
  if (s.fedEnrolling && s.fedSecret) return { kind: 'show', view: 'totp' };
  if (!s.fedSecret) {
    s.fedSecret = deps.seal.encrypt(base32Encode(generateSecret(Math.max(16, params.secretLength))), boundTo(ctx));
    s.fedAlgorithm = params.algorithm;
    s.fedDigits = params.digits;
    s.fedPeriod = params.timeStepSize;
  }
  return { kind: 'show', view: 'enroll' };
}

export async function firstLoginSubmit(deps: TotpDeps, ctx: StepContext, form: FormFields, params: TotpParameters, first: { idp: IdentityProvider; identity: FederatedIdentity }, users: FederatedUsers): Promise<StepOutcome> {
  const s = ctx.state as FirstLogin;
  if (form.ENABLE_TOTP === 'true' && s.fedSecret) {
    s.fedEnrolling = true;
    return { kind: 'show', view: 'totp' };
  }
  if (form.ENABLE_TOTP === 'false') return params.authenticationMandatory ? { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } } : { kind: 'skip' };
  const secret = secretOf(deps, ctx);
  if (!secret || !s.fedEnrolling || form.token === undefined) return firstLoginBegin(deps, ctx, params);
  const token = form.token;
  const check = isWellFormedCode(token, secret.digits) ? createTotpVerifier(secret.key, { ...secret, windowSize: params.windowSize }).verify(token, ctx.now) : { valid: false as const };
  if (!check.valid) {
    s.fedFailures = (s.fedFailures ?? 0) + 1;
    if (s.fedFailures >= MAX_FAILURES) return { kind: 'fail', view: 'error', failure: { reason: 'totp.invalid' } };
    return { kind: 'retry', view: 'totp', failure: { reason: 'totp.invalid' } };
  }
  const made = await users.provision(ctx.tenant, first.idp, first.identity, first.identity.username, undefined, { traceId: ctx.traceId, remoteAddress: ctx.remoteAddress, application: ctx.application.name });
  if ('missing' in made) return { kind: 'fail', view: 'error', failure: { reason: made.missing } };
  const user = made.user;
  await deps.credentials.importSecret(user, { secret: base32Encode(secret.key), encoding: 'Base32', algorithm: secret.algorithm, digits: secret.digits, period: secret.period });
  // The same code once more through the credentials layer: it records the step as used (RFC 6238 section 5.2).
  await deps.credentials.verify(user, token, ctx.now, params);
  await deps.audit.record({ tenantId: ctx.tenant.id, event: 'totp.enrolled', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', reason: `federated:${first.idp.name}`, traceId: ctx.traceId });
  for (const k of ['fedSecret', 'fedAlgorithm', 'fedDigits', 'fedPeriod', 'fedEnrolling', 'fedFailures'] as const) delete s[k];
  return { kind: 'success', user, amr: ['otp'] };
}

/** WSO2's display name for a federated account: the IdP's name and the first of email, given name, last name, user name. */
export function federatedAccountLabel(identity: FederatedIdentity): string {
  const c = identity.claims;
  return `${identity.idpName}:${c[CLAIMS.email] || c[CLAIMS.givenName] || c[CLAIMS.lastName] || identity.username}`;
}

export async function firstLoginPage(deps: TotpDeps, ctx: StepContext, view: string, failure: PageModel['data']['failure'], identity: FederatedIdentity): Promise<PageModel> {
  const secret = secretOf(deps, ctx);
  if (view === 'error' || !secret) return { template: 'totp_error', title: 'Authentication failed', data: { failure, applicationName: ctx.application.name } };
  if (view === 'enroll') {
    const issuer = await deps.settings.issuerFor(ctx.tenant);
    const account = federatedAccountLabel(identity);
    const uri = buildOtpauthUri({ issuer, account, key: secret.key, algorithm: secret.algorithm, digits: secret.digits, period: secret.period });
    const data = {
      qrDataUrl: await renderQrPngDataUrl(uri),
      secretGroups: base32Encode(secret.key).match(/.{1,4}/g) ?? [],
      issuer,
      account,
      algorithm: secret.algorithm,
      digits: secret.digits,
      period: secret.period,
      nonDefault: secret.algorithm !== 'SHA1' || secret.digits !== 6 || secret.period !== 30,
    };
    return { template: 'totp_enroll', title: 'Enable TOTP', data: { ...data, failure, hasAlternatives: ctx.hasAlternatives } };
  }
  return { template: 'totp', title: 'Authenticating with TOTP', data: { failure, digits: secret.digits, enrolling: true, emailAllowed: false, hasAlternatives: ctx.hasAlternatives } };
}
