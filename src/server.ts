// Starting and stopping a Portcullis node: config -> logger -> storage -> services -> first-start
// provisioning -> HTTPS app. main.ts calls this for `npm start`; tests call it in-process.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import { readPkcs12, type Config } from './config/index.ts';
import { createLogger } from './http/logger.ts';
import { loadTlsPair, type TlsPair } from './http/tls.ts';
import type { MetricsServer } from './metrics/metrics-server.ts';
import type { Metrics } from './metrics/metrics.ts';
import { ensureSuperTenant } from './provisioning.ts';
import { startSampleApp } from './sample-app.ts';
import { createServices, type Services } from './services.ts';
import { openStorage } from './storage/database.ts';
import type { Tenant } from './tenants/tenant-service.ts';
import type { Clock } from './time/clock.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** https://host:port the server listens on. */
  url: string;
  port: number;
  /** The TLS certificate in use (tests trust it explicitly). */
  certificate: string;
  /** http://host:port of the travelocity sample, when [sample_app] started it. */
  sampleUrl?: string;
  /** http://host:port of the Prometheus endpoint, when [metrics] enable. */
  metricsUrl?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Start-up warnings from reading the config (WSO2 settings with no effect here), logged once each. */
  configWarnings?: readonly string[];
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logging.level);
  for (const warning of options.configWarnings ?? []) log.warn(warning);
  const db = config.database.identity_db;
  const storage = await openStorage({
    type: db.type,
    path: db.path || join(config.server.data_dir, 'portcullis.db'),
    url: db.url,
    username: db.username,
    password: db.password,
    poolSize: db.pool_size,
  });
  try {
    const services = createServices(config, storage, log, options.clock);
    const superTenant = await ensureSuperTenant(services);
    await adoptKeystoreForSaml(config, services, superTenant, log);
    const tls = keystoreTls(config) ?? (await loadTlsPair({
      certificate: config.transport.https.certificate,
      privateKey: config.transport.https.private_key,
      dataDir: config.server.data_dir,
      hostname: config.server.hostname,
    }));
    if (tls.generated) log.warn(`generated a self-signed TLS certificate under ${join(config.server.data_dir, 'tls')}; browsers will warn about it`);
    const metrics = config.metrics.enable ? await createMetrics(config, services) : undefined;
    const app = await buildApp(services, { tls, ...(metrics ? { metrics } : {}) });
    await app.listen({ port: config.server.port, host: config.server.bind_address });
    let metricsServer: MetricsServer | undefined;
    if (metrics) {
      try {
        const { startMetricsServer } = await import('./metrics/metrics-server.ts');
        metricsServer = await startMetricsServer(metrics, { host: config.metrics.bind_address, port: config.metrics.port, token: config.metrics.token, log });
      } catch (err) {
        await app.close();
        throw err;
      }
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const url = `https://${config.server.hostname}:${port}`;
    // Upstream identity providers send the browser back to this address (the port is known only now when it was 0).
    if (!config.server.base_path) services.publicUrl.base = url;
    const sample = config.sample_app.enabled ? await startSampleApp(services, { idpUrl: url, idpCertificate: tls.cert, log }) : undefined;
    // Last, so that a failed start leaves no timer behind.
    services.sweeper.start();
    let closed = false;
    return {
      app,
      services,
      port,
      url,
      certificate: tls.cert,
      ...(sample ? { sampleUrl: sample.url } : {}),
      ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
      close: async () => {
        if (closed) return;
        closed = true;
        // Before storage closes: no sweep may be in flight or scheduled once close() resolves.
        await services.sweeper.stop();
        await sample?.close();
        await metricsServer?.close();
        await app.close();
        await services.userStores.close();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

/** The node's metrics, fed by the audit log (logins, codes, lockouts, emails) and read by the metrics port. */
// Loaded only when [metrics] enable: prom-client is not needed otherwise.
async function createMetrics(config: Config, services: Services): Promise<Metrics> {
  const [{ Metrics }, { auditMetrics }] = await Promise.all([import('./metrics/metrics.ts'), import('./metrics/audit-metrics.ts')]);
  const metrics = new Metrics({
    maxTenants: config.metrics.max_tenants,
    maxApplications: config.metrics.max_applications,
    poolStats: () => services.storage.poolStats(),
  });
  services.audit.observe(auditMetrics(metrics, async (id) => (await services.tenants.findById(id))?.domain));
  return metrics;
}

/** WSO2's [keystore.primary] also signs carbon.super's SAML responses, as in WSO2, so SPs that trust its certificate keep working. */
async function adoptKeystoreForSaml(config: Config, services: Services, tenant: Tenant, log: Logger): Promise<void> {
  const keystore = config.keystore.primary;
  if (keystore.file_name === '') return;
  const entry = readPkcs12(keystore.file_name, { password: keystore.password, alias: keystore.alias, keyPassword: keystore.key_password });
  if (await services.keys.adopt(tenant, 'saml', entry.certificatePem, entry.privateKeyPem)) {
    log.info(`the SAML signing key of carbon.super is now the [keystore.primary] key${entry.alias ? ` "${entry.alias}"` : ''}; the previous one stays in the metadata for its grace period`);
  }
}

/** WSO2's [keystore.primary] serves HTTPS unless [transport.https] names PEM files (config load checked it opens). */
function keystoreTls(config: Config): TlsPair | undefined {
  const keystore = config.keystore.primary;
  if (keystore.file_name === '' || config.transport.https.certificate !== '') return undefined;
  const entry = readPkcs12(keystore.file_name, { password: keystore.password, alias: keystore.alias, keyPassword: keystore.key_password });
  return { cert: entry.certificatePem, key: entry.privateKeyPem, generated: false };
}
