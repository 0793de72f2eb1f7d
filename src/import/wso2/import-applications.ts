// Service providers (SP_APP) become applications with the same authentication steps (SP_AUTH_STEP, with the
// step's authenticators from SP_FEDERATED_IDP -> IDP_AUTHENTICATOR -> IDP; local ones sit under the IDP "LOCAL").
// The application service checks the sequence as it checks an admin's (unknown authenticators, a TOTP step
// before the user is known), and its refusal is reported. Inbound protocol settings (SAML issuer and endpoints,
// OAuth clients and their secrets) live in other WSO2 tables and are not carried over: the report names them.
import type { AuthenticationSequence } from '../../applications/application.ts';
import { isSystemApplicationName } from '../../applications/application.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { ImportContext } from './importer.ts';
import { readApplications, type Wso2Application, type Wso2Tenant } from './read.ts';

/** WSO2's resident service provider of every tenant: its settings are the server's, not an application's. */
const RESIDENT_SP = 'wso2carbon-local-sp';

export async function importApplications(ctx: ImportContext, source: Wso2Tenant, tenant: Tenant): Promise<void> {
  const { services, origins, report } = ctx;
  for (const app of await readApplications(ctx.options.identity, source.id)) {
    const name = source.domain === 'carbon.super' ? app.name : `${app.name} (${source.domain})`;
    if (await origins.find('application', tenant.id, app.id)) {
      report.already('applications');
      continue;
    }
    if (app.name === RESIDENT_SP || isSystemApplicationName(app.name)) {
      report.skipped('applications', 'built in here (the resident service provider, My Account, Console)', name);
      continue;
    }
    if (await services.applications.findByName(tenant.id, app.name)) {
      report.skipped('applications', 'an application of this name already exists here (not from this import); left as it is', name);
      continue;
    }
    const sequence = sequenceOf(app);
    if ('skip' in sequence) {
      report.skipped('applications', sequence.skip, name);
      continue;
    }
    try {
      const created = await services.applicationService.create(tenant, { name: app.name, description: app.description, authenticationSequence: sequence.sequence });
      await origins.record('application', tenant.id, app.id, created.id);
      report.imported('applications');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      report.skipped('applications', `refused here: ${err.description}`, name);
      continue;
    }
    for (const inbound of app.inbound) {
      report.note('applications', `imported without its inbound ${inbound.type} settings (kept in other WSO2 tables); configure the protocol on the application`, `${name}: ${inbound.key}`);
    }
  }
}

function sequenceOf(app: Wso2Application): { sequence: AuthenticationSequence } | { skip: string } {
  // AUTH_TYPE "default" (or no steps) means the server's default sequence: the basic authenticator.
  if (app.authType === 'default' || app.steps.length === 0) return { sequence: { type: 'DEFAULT', steps: [], subjectStepId: 1, attributeStepId: 1 } };
  const steps = [...app.steps].sort((a, b) => a.order - b.order);
  const federated = steps.flatMap((s) => s.options.filter((o) => o.idp !== 'LOCAL').map((o) => `${o.idp} in step ${s.order}`));
  if (federated.length > 0) return { skip: `federated identity providers are not supported here (${federated.join(', ')})` };
  const empty = steps.find((s) => s.options.length === 0);
  if (empty) return { skip: `step ${empty.order} has no authenticator` };
  const index = (flagged: number) => (flagged >= 0 ? flagged + 1 : 1);
  return {
    sequence: {
      type: 'USER_DEFINED',
      steps: steps.map((s, i) => ({ id: i + 1, options: s.options.map((o) => ({ idp: 'LOCAL', authenticator: o.authenticator })) })),
      subjectStepId: index(steps.findIndex((s) => s.subject)),
      attributeStepId: index(steps.findIndex((s) => s.attribute)),
    },
  };
}
