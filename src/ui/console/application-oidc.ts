// An application's OpenID Connect settings in the console: the form on the application page that adds or edits
// them (redirect URIs, grant types, public client, token lifetimes) and "Regenerate secret". Both go through
// the application service, so the API's validation (protocols/oidc/settings.ts) decides, and its refusal is
// shown beside the form with what was typed kept. A new client secret is shown once, in the answer to the POST
// that made it (never in a URL or a redirect), with a copy button; only its hash is stored.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../applications/application.ts';
import { GRANT_TYPES, oidcSettingsOf, type OidcSettings } from '../../protocols/oidc/settings.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text, values, type Form } from './forms.ts';

type AppRequest = FastifyRequest<{ Params: { id: string } }>;

const GRANT_LABELS: Record<(typeof GRANT_TYPES)[number], string> = {
  authorization_code: 'Authorization code (with PKCE)',
  refresh_token: 'Refresh token (rotated at each use)',
  client_credentials: 'Client credentials (confidential clients only)',
};

/** The token lifetime fields: form name -> the API's path. */
const LIFETIMES = [
  { id: 'accessTokenLifetime', label: 'User access token lifetime (seconds)', path: 'accessToken.userAccessTokenExpiryInSeconds' },
  { id: 'applicationTokenLifetime', label: 'Application access token lifetime (seconds, client credentials)', path: 'accessToken.applicationAccessTokenExpiryInSeconds' },
  { id: 'idTokenLifetime', label: 'ID token lifetime (seconds)', path: 'idToken.expiryInSeconds' },
  { id: 'refreshTokenLifetime', label: 'Refresh token lifetime (seconds)', path: 'refreshToken.expiryInSeconds' },
] as const;

type LifetimeId = (typeof LIFETIMES)[number]['id'];

/** What the form shows: the stored settings, or what was posted (after a refusal). */
export interface OidcFormValues {
  callbackURLs: string;
  grantTypes: string[];
  publicClient: boolean;
  lifetimes: Record<LifetimeId, string>;
}

export interface OidcFormState {
  values?: OidcFormValues;
  problem?: string;
  /** The field the refusal names, marked on the form. */
  errorField?: string;
  /** A client secret just generated: shown this once. */
  secret?: string;
}

function valuesOf(s: OidcSettings | undefined): OidcFormValues {
  return {
    callbackURLs: (s?.callbackURLs ?? []).join('\n'),
    grantTypes: s?.grantTypes ?? ['authorization_code', 'refresh_token'],
    publicClient: s?.publicClient ?? false,
    lifetimes: {
      accessTokenLifetime: String(s?.accessToken.userAccessTokenExpiryInSeconds ?? 3600),
      applicationTokenLifetime: String(s?.accessToken.applicationAccessTokenExpiryInSeconds ?? 3600),
      idTokenLifetime: String(s?.idToken.expiryInSeconds ?? 3600),
      refreshTokenLifetime: String(s?.refreshToken.expiryInSeconds ?? 86400),
    },
  };
}

function valuesFromForm(form: Form): OidcFormValues {
  const lifetimes = Object.fromEntries(LIFETIMES.map((l) => [l.id, text(form, l.id).trim()])) as Record<LifetimeId, string>;
  return { callbackURLs: text(form, 'callbackURLs'), grantTypes: values(form, 'grantTypes'), publicClient: text(form, 'publicClient') === 'yes', lifetimes };
}

/** A number of seconds as typed; anything else is passed on as text, so the settings' validation refuses it by name. */
const seconds = (v: string): number | string => (/^\d{1,9}$/.test(v) ? Number(v) : v);

/** The form as the API's inboundProtocolConfiguration.oidc (the client id, and a kept secret, come from what is stored). */
function apiInput(v: OidcFormValues): Record<string, unknown> {
  const l = v.lifetimes;
  return {
    callbackURLs: v.callbackURLs.split(/\r?\n/).map((u) => u.trim()).filter(Boolean),
    grantTypes: v.grantTypes,
    publicClient: v.publicClient,
    accessToken: { userAccessTokenExpiryInSeconds: seconds(l.accessTokenLifetime), applicationAccessTokenExpiryInSeconds: seconds(l.applicationTokenLifetime) },
    idToken: { expiryInSeconds: seconds(l.idTokenLifetime) },
    refreshToken: { expiryInSeconds: seconds(l.refreshTokenLifetime) },
  };
}

/** The form field a validation message names (its text starts with the API path), if any. */
function fieldOf(problem: string): string | undefined {
  const path = /inboundProtocolConfiguration\.oidc: ([A-Za-z.]+)/.exec(problem)?.[1];
  if (!path) return undefined;
  if (path.startsWith('callbackURLs')) return 'callbackURLs';
  if (path.startsWith('grantTypes') || path.startsWith('a public client')) return 'grantTypes';
  return LIFETIMES.find((l) => path.startsWith(l.path))?.id;
}

/** The OIDC section's view model (console/oidc.eta). */
export function oidcFormView(application: Application, issuer: string, state: OidcFormState = {}) {
  const stored = oidcSettingsOf(application);
  const v = state.values ?? valuesOf(stored);
  return {
    configured: stored !== undefined,
    clientId: stored?.clientId ?? '',
    confidential: stored !== undefined && !stored.publicClient,
    issuer,
    callbackURLs: v.callbackURLs,
    publicClient: v.publicClient,
    grantTypes: GRANT_TYPES.map((g) => ({ value: g, label: GRANT_LABELS[g], checked: v.grantTypes.includes(g) })),
    lifetimes: LIFETIMES.map((l) => ({ id: l.id, label: l.label, value: v.lifetimes[l.id], error: state.errorField === l.id })),
    problem: state.problem ?? '',
    errorField: state.errorField ?? '',
    secret: state.secret ?? '',
  };
}

export type ShowApplication = (request: AppRequest, reply: FastifyReply, options: { oidc?: OidcFormState; status?: number }) => Promise<FastifyReply>;

export function registerApplicationOidc(app: FastifyInstance, kit: ConsoleKit, appOf: (request: AppRequest) => Promise<Application>, show: ShowApplication): void {
  const { deps } = kit;
  const path = (a: Application) => `/console/applications/${encodeURIComponent(a.id)}`;

  /** Saves through the application service; a new secret is shown at once, anything else is POST-redirect-GET. */
  const save = async (request: AppRequest, reply: FastifyReply, application: Application, input: Record<string, unknown>, formValues: OidcFormValues | undefined, reason: string) => {
    const given = typeof input.clientSecret === 'string' ? input.clientSecret : undefined;
    const ctx = kit.ctx(request);
    let saved;
    try {
      saved = await deps.applicationService.update(ctx.tenant, application, { inboundProtocolConfiguration: { oidc: input } });
    } catch (err) {
      const problem = problemOf(err);
      return show(request, reply, { oidc: { ...(formValues ? { values: formValues } : {}), problem, ...(fieldOf(problem) ? { errorField: fieldOf(problem)! } : {}) }, status: 400 });
    }
    await kit.audit(request, 'application.updated', { application: application.name, reason });
    // Generated by the settings (a new confidential client), or the one this console just gave (regenerated).
    const secret = saved.revealOnce?.oidc?.clientSecret ?? given;
    if (secret) return show(request, reply.header('cache-control', 'no-store'), { oidc: { secret } });
    return kit.done(reply, ctx, path(application), 'oidc-saved');
  };

  app.post<{ Params: { id: string } }>('/console/applications/:id/oidc', async (request, reply) => {
    const application = await appOf(request);
    const formValues = valuesFromForm(formOf(request.body));
    // The API scopes a client may ask for are set through the API only; the form keeps them.
    const scopes = oidcSettingsOf(application)?.authorizedScopes;
    return save(request, reply, application, { ...apiInput(formValues), ...(scopes ? { authorizedScopes: scopes } : {}) }, formValues, 'OpenID Connect settings');
  });

  app.post<{ Params: { id: string } }>('/console/applications/:id/oidc/secret', async (request, reply) => {
    const application = await appOf(request);
    const stored = oidcSettingsOf(application);
    if (!stored || stored.publicClient) return show(request, reply, { oidc: { problem: 'Only a confidential OpenID Connect client has a secret.' }, status: 400 });
    if (text(formOf(request.body), 'confirm') !== 'yes') return show(request, reply, { oidc: { problem: 'Tick the box to confirm: the current secret stops working at once.' }, status: 400 });
    // A new secret given as the API takes one (256 random bits, as a generated one), with every other setting kept.
    const { clientSecretHash: _old, ...kept } = stored;
    return save(request, reply, application, { ...kept, clientSecret: randomBytes(32).toString('base64url') }, undefined, 'OpenID Connect client secret regenerated');
  });
}
