// A tenant's TOTP settings: WSO2 keeps them as application-authentication.xml in the tenant registry
// (/_system/governance/totp) and, for every tenant but carbon.super, reads that document instead of the file.
// Here they become the tenant's overrides (credentials/totp TotpSettings, served again at the same registry path).
// The same document tells how WSO2 wrote the tenant's secrets (encodingMethod) and their period (timeStepSize).
import { totpParameters } from '../../config/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { parseTotpXml } from '../../credentials/totp/totp-xml.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { ImportContext } from './importer.ts';
import { readTotpRegistryXml, SUPER_TENANT_DOMAIN, TOTP_REGISTRY_COLLECTION, TOTP_REGISTRY_NAME, type Wso2Tenant } from './read.ts';

export interface SecretParameters {
  encoding: 'Base32' | 'Base64';
  period: number;
}

type Parsed = { values: Record<string, string> } | { error: string };

/** WSO2 reads encodingMethod as Base64 only when it is exactly "Base64"; anything else is Base32 (TOTPUtil). */
export function wso2Encoding(value: string | undefined): 'Base32' | 'Base64' {
  return value === 'Base64' ? 'Base64' : 'Base32';
}

function parse(xml: Buffer): Parsed {
  try {
    return { values: parseTotpXml(xml.toString('utf8')) };
  } catch (err) {
    if (err instanceof AppError) return { error: err.description };
    throw err;
  }
}

/** The tenant's registry document (not for carbon.super, which WSO2 never reads it for) and the secrets' parameters. */
export async function wso2TotpParameters(ctx: ImportContext, source: Wso2Tenant): Promise<{ xml?: Parsed; parameters: SecretParameters }> {
  const file = ctx.services.totpSettings.fileParameters;
  const fromFile: SecretParameters = { encoding: file.encodingMethod, period: file.timeStepSize };
  if (source.domain === SUPER_TENANT_DOMAIN) return { parameters: fromFile };
  const content = await readTotpRegistryXml(ctx.options.source, source.id);
  if (!content) return { parameters: fromFile };
  const xml = parse(content);
  if ('error' in xml) return { xml, parameters: fromFile };
  const step = Number(xml.values.timeStepSize);
  return { xml, parameters: { encoding: wso2Encoding(xml.values.encodingMethod), period: Number.isSafeInteger(step) && step > 0 ? step : fromFile.period } };
}

const KNOWN = new Set(Object.entries(totpParameters.fields as Record<string, { aliases?: readonly string[] }>).flatMap(([k, v]) => [k, ...(v.aliases ?? [])]));

export async function importTotpSettings(ctx: ImportContext, source: Wso2Tenant, tenant: Tenant, xml: Parsed | undefined): Promise<void> {
  const { services, origins, report } = ctx;
  const name = source.domain;
  if (!xml) return;
  if ('error' in xml) return report.skipped('totp settings', `the registry document ${TOTP_REGISTRY_COLLECTION}/${TOTP_REGISTRY_NAME} cannot be read: ${xml.error}`, name);
  if (await origins.find('totp-config', tenant.id, source.id)) return report.already('totp settings');
  if (await services.totpSettings.storedOverrides(tenant)) {
    return report.skipped('totp settings', 'the tenant already has its own TOTP settings here; they were kept', name);
  }
  const values: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(xml.values)) {
    if (KNOWN.has(key)) values[key] = key === 'encodingMethod' ? wso2Encoding(value) : value;
    else dropped.push(key);
  }
  // A value this server refuses (e.g. a page URL it cannot serve) is left to the file's value, and said.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await services.totpSettings.setOverrides(tenant, values);
      break;
    } catch (err) {
      const fields = err instanceof AppError ? (err.data?.fields as Record<string, string> | undefined) : undefined;
      if (!fields || attempt === 1) return report.skipped('totp settings', `refused here: ${err instanceof AppError ? err.description : String(err)}`, name);
      for (const key of Object.keys(fields)) {
        delete values[key];
        dropped.push(`${key} (${fields[key]})`);
      }
    }
  }
  await origins.record('totp-config', tenant.id, source.id, tenant.id);
  report.imported('totp settings');
  if (dropped.length > 0) report.note('totp settings', `imported without parameters that have no effect here or were refused (deployment.toml's values apply): ${dropped.join('; ')}`, name);
}
