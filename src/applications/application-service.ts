// Creating and changing applications from API input (WSO2's application API shape): the sequence is
// checked against the authenticators this server has, and each inbound protocol's settings by the protocol
// that owns them (SAML checks its issuer and ACS URLs, ...).
import { releaseRefusal } from '../claims/claim-read-policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { isSystemApplicationName, type Application, type AuthenticationSequence, type ClaimConfiguration } from './application.ts';
import type { ApplicationStore, ProtocolIdentifier } from './application-store.ts';
import { normaliseSequence, type AuthenticatorLookup } from './sequence.ts';

/** What a protocol contributes to applications: validation of its settings and its identifiers. */
export interface InboundProtocol {
  readonly protocol: string;
  /**
   * Checks and normalises settings; throws APP-40001 with a precise description when they are wrong. Called
   * with API input (and the stored settings it changes, if any) and again with stored settings. `revealOnce`
   * holds values shown only in the answer that made them (a generated client secret), never stored.
   */
  validate(input: unknown, tenant: Tenant, current?: unknown): Promise<{ settings: unknown; identifiers: string[]; revealOnce?: Record<string, string> }>;
  /** The stored settings as the API shows them (without hashes); as stored when absent. */
  publicView?(stored: unknown): unknown;
}

/** An application as create/update answer it: with values shown only this once, by protocol. */
export type SavedApplication = Application & { revealOnce?: Record<string, Record<string, string>> };

export interface ApplicationInput {
  name?: string;
  description?: string;
  accessUrl?: string;
  claimConfiguration?: ClaimConfiguration;
  inboundProtocolConfiguration?: Record<string, unknown>;
  authenticationSequence?: AuthenticationSequence;
}

const NAME = /^[^\s].{0,253}[^\s]$|^[^\s]$/u;

export class ApplicationService {
  private readonly protocols = new Map<string, InboundProtocol>();

  constructor(
    readonly store: ApplicationStore,
    private readonly lookup: AuthenticatorLookup,
  ) {}

  registerProtocol(protocol: InboundProtocol): void {
    this.protocols.set(protocol.protocol, protocol);
  }

  private async inbound(tenant: Tenant, input: Record<string, unknown> | undefined, current: Record<string, unknown>) {
    const settings: Record<string, unknown> = { ...current };
    const revealOnce: Record<string, Record<string, string>> = {};
    for (const [protocol, value] of Object.entries(input ?? {})) {
      const handler = this.protocols.get(protocol);
      if (!handler) throw new AppError('APP-40001', { description: `Inbound protocol "${protocol}" is not supported.` });
      if (value === null) {
        delete settings[protocol];
        continue;
      }
      const checked = await handler.validate(value, tenant, current[protocol]);
      settings[protocol] = checked.settings;
      if (checked.revealOnce) revealOnce[protocol] = checked.revealOnce;
    }
    const identifiers: ProtocolIdentifier[] = [];
    for (const [protocol, value] of Object.entries(settings)) {
      const handler = this.protocols.get(protocol);
      if (!handler) continue;
      for (const identifier of (await handler.validate(value, tenant)).identifiers) identifiers.push({ protocol, identifier });
    }
    return { settings, identifiers, revealOnce };
  }

  /** An application's protocol settings as the API and console show them (hashes left out). */
  publicSettings(app: Application): Record<string, unknown> {
    return Object.fromEntries(Object.entries(app.inboundProtocols).map(([p, v]) => [p, this.protocols.get(p)?.publicView?.(v) ?? v]));
  }

  private static saved(app: Application, revealOnce: Record<string, Record<string, string>>): SavedApplication {
    return Object.keys(revealOnce).length > 0 ? { ...app, revealOnce } : app;
  }

  /**
   * The claims an application asks for: its requested claims and the claim its subject (NameID) is taken from.
   * Any the claim read policy never releases to applications (a TOTP seed, an identity claim) is refused here,
   * naming it; the read side refuses them too, for applications stored before this check.
   */
  private checkClaims(config: ClaimConfiguration | undefined): ClaimConfiguration {
    const invalid = (description: string) => new AppError('APP-40001', { description });
    const requested = config?.requestedClaims ?? [];
    if (!Array.isArray(requested) || requested.some((c) => typeof c?.claim?.uri !== 'string')) {
      throw invalid('claimConfiguration.requestedClaims must be a list of { claim: { uri }, mandatory }.');
    }
    const refuse = (uri: string, path: string) => {
      const refusal = releaseRefusal(uri, 'application');
      if (refusal) throw invalid(`${path}: ${refusal}`);
    };
    requested.forEach((c, i) => refuse(c.claim.uri, `claimConfiguration.requestedClaims[${i}]`));
    const subject: unknown = config?.subject;
    if (subject !== undefined && (subject === null || typeof subject !== 'object' || Array.isArray(subject))) throw invalid('claimConfiguration.subject must be an object.');
    const subjectUri: unknown = (subject as ClaimConfiguration['subject'])?.claim?.uri;
    if (subjectUri !== undefined) {
      if (typeof subjectUri !== 'string') throw invalid('claimConfiguration.subject.claim.uri must be a claim URI.');
      refuse(subjectUri, 'claimConfiguration.subject.claim.uri');
    }
    return { ...config, requestedClaims: requested.map((c) => ({ claim: { uri: c.claim.uri }, mandatory: c.mandatory === true })) };
  }

  private checkName(name: unknown): string {
    if (typeof name !== 'string' || !NAME.test(name)) throw new AppError('APP-40001', { description: 'name is required: 1 to 255 characters, not starting or ending with a space.' });
    if (isSystemApplicationName(name)) throw new AppError('APP-40901', { description: `"${name}" is the name of a built-in application.` });
    return name;
  }

  async create(tenant: Tenant, input: ApplicationInput): Promise<SavedApplication> {
    const name = this.checkName(input.name);
    const { settings, identifiers, revealOnce } = await this.inbound(tenant, input.inboundProtocolConfiguration, {});
    const created = await this.store.create(
      {
        tenantId: tenant.id,
        name,
        kind: 'custom',
        description: input.description ?? '',
        accessUrl: input.accessUrl ?? '',
        authenticationSequence: normaliseSequence(input.authenticationSequence, this.lookup),
        claimConfiguration: this.checkClaims(input.claimConfiguration),
        inboundProtocols: settings,
      },
      identifiers,
    );
    return ApplicationService.saved(created, revealOnce);
  }

  /** Applies the fields present in `input` (WSO2's PATCH semantics: absent fields stay). */
  async update(tenant: Tenant, app: Application, input: ApplicationInput): Promise<SavedApplication> {
    if (input.name !== undefined && input.name !== app.name && app.kind === 'system') throw new AppError('APP-40301');
    const { settings, identifiers, revealOnce } = await this.inbound(tenant, input.inboundProtocolConfiguration, app.inboundProtocols);
    const updated = await this.store.update(
      {
        ...app,
        name: input.name === undefined || input.name === app.name ? app.name : this.checkName(input.name),
        description: input.description ?? app.description,
        accessUrl: input.accessUrl ?? app.accessUrl,
        authenticationSequence: input.authenticationSequence === undefined ? app.authenticationSequence : normaliseSequence(input.authenticationSequence, this.lookup),
        claimConfiguration: input.claimConfiguration === undefined ? app.claimConfiguration : this.checkClaims(input.claimConfiguration),
        inboundProtocols: settings,
      },
      identifiers,
    );
    return ApplicationService.saved(updated, revealOnce);
  }
}
