// The tenant's TOTP parameters in WSO2's registry format, at /_system/governance/totp/application-authentication.xml:
//   <AuthenticatorConfig name="totp" enabled="true"><Parameter name="timeStepSize">60</Parameter>...</AuthenticatorConfig>
// alone or inside <ApplicationAuthentication><AuthenticatorConfigs>... as WSO2's application-authentication.xml.
// This is a VIEW of the one stored setting (TotpSettings' overrides, also served as JSON by
// /api/server/v1/configs/authenticators/totp and edited by the console): a PUT parses the document and replaces
// the overrides through TotpSettings.setOverrides (which refuses unknown parameters and bad values, naming
// them); a GET renders the overrides; a DELETE clears them. Parameters left out take deployment.toml's values
// (WSO2 would fail on a missing timeStepSize or windowSize; we merge per parameter). The `enabled` attribute is
// read but not applied: TOTP is enabled or disabled for the whole server in deployment.toml.
import { AppError } from '../../errors/app-error.ts';
import { elementChildren, escapeAttr, escapeText, parseXmlStrict } from '../../encoding/xml.ts';
import type { RegistryView } from '../../tenants/registry/registry-view.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { TotpSettings } from './totp-settings.ts';

export const TOTP_XML_PATH = '/_system/governance/totp/application-authentication.xml';
const MAX_XML_BYTES = 64 * 1024;
const WHAT = 'TOTP configuration';

const refuse = (description: string) => new AppError('PCS-40001', { description });

/** The parameters of the <AuthenticatorConfig name="totp"> in `xml`, as text; a 400 naming the problem otherwise. */
export function parseTotpXml(xml: string): Record<string, string> {
  const doc = parseXmlStrict(xml, { maxBytes: MAX_XML_BYTES, code: 'PCS-40001', tooLargeCode: 'PCS-41300', what: WHAT, allowComments: true });
  const root = doc.documentElement;
  let config: Element;
  if (root.localName === 'AuthenticatorConfig') {
    config = root;
  } else if (root.localName === 'ApplicationAuthentication') {
    const found = elementChildren(root)
      .filter((e) => e.localName === 'AuthenticatorConfigs')
      .flatMap((c) => elementChildren(c))
      .filter((e) => e.localName === 'AuthenticatorConfig' && e.getAttribute('name') === 'totp');
    if (found.length === 0) throw refuse('The document has no <AuthenticatorConfig name="totp"> inside <AuthenticatorConfigs>.');
    if (found.length > 1) throw refuse('The document has more than one <AuthenticatorConfig name="totp">.');
    config = found[0]!;
  } else {
    throw refuse(`The root element must be <AuthenticatorConfig> or <ApplicationAuthentication>, not <${root.localName}>.`);
  }
  if (config.getAttribute('name') !== 'totp') throw refuse('The <AuthenticatorConfig> must have name="totp".');
  const enabled = config.getAttribute('enabled');
  if (enabled && enabled !== 'true' && enabled !== 'false') throw refuse('The enabled attribute must be true or false.');
  const values: Record<string, string> = {};
  for (const child of elementChildren(config)) {
    if (child.localName !== 'Parameter') throw refuse(`Only <Parameter> elements may appear in <AuthenticatorConfig>, not <${child.localName}>.`);
    const name = child.getAttribute('name') ?? '';
    if (name === '') throw refuse('A <Parameter> has no name attribute.');
    if (elementChildren(child).length > 0) throw refuse(`The parameter ${name} must hold text only.`);
    if (Object.hasOwn(values, name)) throw refuse(`The parameter ${name} is given twice.`);
    values[name] = (child.textContent ?? '').trim();
  }
  return values;
}

/** The overrides as WSO2's <AuthenticatorConfig>, one parameter a line. */
export function renderTotpXml(overrides: Record<string, unknown>, enabled: boolean): string {
  const lines = Object.entries(overrides).map(([k, v]) => `    <Parameter name="${escapeAttr(k)}">${escapeText(String(v))}</Parameter>`);
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<AuthenticatorConfig name="totp" enabled="${enabled}">`, ...lines, '</AuthenticatorConfig>', ''].join('\n');
}

function utf8(content: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new AppError('PCS-40002', { description: `The ${WHAT} is not valid UTF-8.` });
  }
}

/** The registry view of the tenant's TOTP overrides (mounted by the composition root). */
export function totpRegistryView(settings: TotpSettings): RegistryView {
  return {
    path: TOTP_XML_PATH,
    mediaType: 'application/xml',
    async read(tenant: Tenant) {
      const stored = await settings.storedOverrides(tenant);
      return stored ? Buffer.from(renderTotpXml(stored, settings.enabled()), 'utf8') : undefined;
    },
    async write(tenant: Tenant, content: Buffer) {
      await settings.setOverrides(tenant, parseTotpXml(utf8(content)));
    },
    async remove(tenant: Tenant) {
      if (!(await settings.storedOverrides(tenant))) return false;
      await settings.clearOverrides(tenant);
      return true;
    },
  };
}
