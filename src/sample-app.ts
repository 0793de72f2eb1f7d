// The travelocity sample beside the server (`npm start`, [sample_app] enabled = true): starts it on its
// own HTTP port and, on first start, registers it in carbon.super with the steps basic then totp, as the
// WSO2 guide has you do by hand. The sample is a demo: if it cannot start (port taken, ...) the identity
// server keeps serving and the reason is logged.
import type { Logger } from 'pino';
import type { RunningTravelocity } from '../samples/travelocity/index.ts';
import { sequenceOf } from './applications/application.ts';
import type { ApplicationInput } from './applications/application-service.ts';
import { AppError } from './errors/app-error.ts';
import type { Services } from './services.ts';
import { SUPER_TENANT_DOMAIN } from './users/qualified-name.ts';

export const SAMPLE_ISSUER = 'travelocity.com';

const CLAIMS = ['emailaddress', 'givenname', 'lastname'].map((c) => `http://wso2.org/claims/${c}`);

/** The application as the WSO2 guide configures it, for a sample running at `base` (http://host:port). */
export function sampleApplication(base: string, issuer = SAMPLE_ISSUER): ApplicationInput {
  const acs = `${base}/travelocity.com/home.jsp`;
  const logout = `${base}/travelocity.com/logout`;
  return {
    name: issuer,
    description: 'The travelocity sample (SAML)',
    accessUrl: `${base}/`,
    claimConfiguration: { requestedClaims: CLAIMS.map((uri) => ({ claim: { uri }, mandatory: false })) },
    authenticationSequence: sequenceOf([['BasicAuthenticator'], ['totp']]),
    inboundProtocolConfiguration: {
      saml: {
        manualConfiguration: {
          issuer,
          assertionConsumerUrls: [acs],
          defaultAssertionConsumerUrl: acs,
          singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' } },
          singleLogoutProfile: { enabled: true, logoutRequestUrl: logout, logoutResponseUrl: logout, logoutMethod: 'FRONTCHANNEL_HTTP_REDIRECT' },
          requestValidation: { enableSignatureValidation: false },
          responseSigning: { enabled: true },
          idpInitiatedSingleSignOn: { enabled: false },
          attributeProfile: { enabled: true },
        },
      },
    },
  };
}

/** Registers the sample unless an application with its issuer exists (an admin's edits are kept). True if it did. */
export async function registerSampleApp(services: Services, base: string): Promise<boolean> {
  const tenant = await services.tenants.requireActive(SUPER_TENANT_DOMAIN);
  if (await services.applications.findByIdentifier(tenant.id, 'saml', SAMPLE_ISSUER)) return false;
  try {
    await services.applicationService.create(tenant, sampleApplication(base));
    return true;
  } catch (err) {
    // Another node registered it at the same moment.
    if (err instanceof AppError && (await services.applications.findByIdentifier(tenant.id, 'saml', SAMPLE_ISSUER))) return false;
    throw err;
  }
}

export interface SampleAppOptions {
  /** The server's own https://host:port (its metadata is read from there). */
  idpUrl: string;
  /** The server's TLS certificate, which the sample trusts for that HTTPS connection. */
  idpCertificate: string;
  log: Logger;
}

/** Starts and registers the sample; undefined (after logging why) when it cannot run. */
export async function startSampleApp(services: Services, options: SampleAppOptions): Promise<RunningTravelocity | undefined> {
  const { port, hostname } = services.config.sample_app;
  let sample: RunningTravelocity | undefined;
  try {
    // Loaded only when the sample runs: its SP library is the sample workspace's dependency, not the server's.
    const { startTravelocity } = await import('../samples/travelocity/index.ts');
    sample = await startTravelocity({
      port,
      hostname,
      bindAddress: services.config.server.bind_address,
      idpMetadataUrl: `${options.idpUrl}/identity/metadata/saml2`,
      idpTlsCa: options.idpCertificate,
      issuer: SAMPLE_ISSUER,
      // The IdP is this process: the first login reads its metadata, so an idle node does not carry the XML
      // libraries that reading (and serving) it loads.
      readMetadataAtStart: false,
      warn: (message) => options.log.warn(message),
    });
    if (await registerSampleApp(services, sample.url)) options.log.info(`registered the travelocity sample (issuer ${SAMPLE_ISSUER}) in ${SUPER_TENANT_DOMAIN} with the steps basic then totp`);
    options.log.info(`the travelocity sample is on ${sample.url}/`);
    return sample;
  } catch (err) {
    await sample?.close();
    options.log.error(`the travelocity sample did not start: ${(err as Error).message}`);
    return undefined;
  }
}
