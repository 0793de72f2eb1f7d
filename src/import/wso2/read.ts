// What the importer reads from a WSO2 database, table by table, in the shapes of WSO2's own scripts
// (carbon-kernel dbscripts for UM_* and REG_*, carbon-identity-framework for SP_*, IDP*, IDN_*). Every query is
// per tenant (UM_TENANT_ID / TENANT_ID; the super tenant is -1234 and has no UM_TENANT row). UM_* and REG_* are in
// WSO2's shared database, IDN_*, SP_* and IDP* in its identity database (often the same one); each reader takes
// the database its tables live in.
import { flag, int, text, type Row, type SourceDb } from './source.ts';

export const SUPER_TENANT_ID = -1234;
export const SUPER_TENANT_DOMAIN = 'carbon.super';
export const LOCAL_DIALECT = 'http://wso2.org/claims';
export const SECRET_CLAIM = 'http://wso2.org/claims/identity/secretkey';
/** Where a tenant's TOTP configuration lives in its registry (TOTP authenticator docs, "upload the XML"). */
export const TOTP_REGISTRY_COLLECTION = '/_system/governance/totp';
export const TOTP_REGISTRY_NAME = 'application-authentication.xml';

export interface Wso2Tenant {
  id: number;
  domain: string;
  active: boolean;
  /** The realm's admin user name (UM_USER_CONFIG's <AdminUser><UserName>), 'admin' when absent. */
  adminUsername: string;
}

export interface Wso2User {
  id: number;
  username: string;
  password: string;
  salt: string;
  requireChange: boolean;
}

export interface Wso2Step {
  order: number;
  subject: boolean;
  attribute: boolean;
  /** [identity provider name, authenticator name]; LOCAL for the resident (local) authenticators. */
  options: { idp: string; authenticator: string }[];
}

export interface Wso2Application {
  id: number;
  name: string;
  description: string;
  authType: string;
  steps: Wso2Step[];
  /** Inbound protocols configured for it (samlsso issuer, oauth2 client id), by type. */
  inbound: { type: string; key: string }[];
}

export async function readTenants(db: SourceDb): Promise<Wso2Tenant[]> {
  const rows = await db.query('select UM_ID, UM_DOMAIN_NAME, UM_ACTIVE, UM_USER_CONFIG from UM_TENANT order by UM_ID');
  const tenants = rows.map((r) => ({
    id: int(r.UM_ID),
    domain: text(r.UM_DOMAIN_NAME).toLowerCase(),
    active: flag(r.UM_ACTIVE),
    adminUsername: /<AdminUser>\s*<UserName>([^<]+)<\/UserName>/.exec(text(r.UM_USER_CONFIG))?.[1]?.trim() || 'admin',
  }));
  return [{ id: SUPER_TENANT_ID, domain: SUPER_TENANT_DOMAIN, active: true, adminUsername: 'admin' }, ...tenants];
}

export async function readUsers(db: SourceDb, tenantId: number): Promise<Wso2User[]> {
  const rows = await db.query('select UM_ID, UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE, UM_REQUIRE_CHANGE from UM_USER where UM_TENANT_ID = ? order by UM_ID', [tenantId]);
  return rows.map((r) => ({ id: int(r.UM_ID), username: text(r.UM_USER_NAME), password: text(r.UM_USER_PASSWORD), salt: text(r.UM_SALT_VALUE), requireChange: flag(r.UM_REQUIRE_CHANGE) }));
}

/** UM_USER_ATTRIBUTE of the default profile: attribute name -> value, by UM_USER.UM_ID. */
export async function readAttributes(db: SourceDb, tenantId: number): Promise<Map<number, Map<string, string>>> {
  const rows = await db.query("select UM_USER_ID, UM_ATTR_NAME, UM_ATTR_VALUE from UM_USER_ATTRIBUTE where UM_TENANT_ID = ? and (UM_PROFILE_ID = 'default' or UM_PROFILE_ID is null)", [tenantId]);
  const out = new Map<number, Map<string, string>>();
  for (const r of rows) {
    const id = int(r.UM_USER_ID);
    if (!out.has(id)) out.set(id, new Map());
    out.get(id)!.set(text(r.UM_ATTR_NAME), text(r.UM_ATTR_VALUE));
  }
  return out;
}

/**
 * The PRIMARY store's attribute -> local claim URI mapping of the tenant's claim dialect: IDN_CLAIM_* (IS 5.3 and
 * later), else the older UM_CLAIM. An attribute mapped by two claims keeps the first by claim URI.
 */
export async function readClaimMapping(shared: SourceDb, identity: SourceDb, tenantId: number): Promise<Map<string, string>> {
  let rows: Row[];
  if (await identity.hasTable('IDN_CLAIM_MAPPED_ATTRIBUTE')) {
    rows = await identity.query(
      `select c.CLAIM_URI as CLAIM_URI, m.ATTRIBUTE_NAME as ATTRIBUTE_NAME from IDN_CLAIM c
       join IDN_CLAIM_DIALECT d on d.ID = c.DIALECT_ID join IDN_CLAIM_MAPPED_ATTRIBUTE m on m.LOCAL_CLAIM_ID = c.ID
       where d.DIALECT_URI = ? and c.TENANT_ID = ? and upper(m.USER_STORE_DOMAIN_NAME) = 'PRIMARY' order by c.CLAIM_URI`,
      [LOCAL_DIALECT, tenantId],
    );
  } else if (await shared.hasTable('UM_CLAIM')) {
    rows = await shared.query(
      `select c.UM_CLAIM_URI as CLAIM_URI, c.UM_MAPPED_ATTRIBUTE as ATTRIBUTE_NAME from UM_CLAIM c
       join UM_DIALECT d on d.UM_ID = c.UM_DIALECT_ID and d.UM_TENANT_ID = c.UM_TENANT_ID
       where d.UM_DIALECT_URI = ? and c.UM_TENANT_ID = ? and (c.UM_MAPPED_ATTRIBUTE_DOMAIN is null or upper(c.UM_MAPPED_ATTRIBUTE_DOMAIN) = 'PRIMARY')
       order by c.UM_CLAIM_URI`,
      [LOCAL_DIALECT, tenantId],
    );
  } else {
    rows = [];
  }
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(text(r.ATTRIBUTE_NAME))) out.set(text(r.ATTRIBUTE_NAME), text(r.CLAIM_URI));
  return out;
}

/** IDN_IDENTITY_USER_DATA (identity claims, the TOTP secret among them), by user name (PRIMARY users only). */
export async function readIdentityData(db: SourceDb, tenantId: number): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (!(await db.hasTable('IDN_IDENTITY_USER_DATA'))) return out;
  const rows = await db.query('select USER_NAME, DATA_KEY, DATA_VALUE from IDN_IDENTITY_USER_DATA where TENANT_ID = ?', [tenantId]);
  for (const r of rows) {
    let name = text(r.USER_NAME);
    // Secondary-store users are written DOMAIN/name; PRIMARY ones bare (or PRIMARY/name).
    if (/^primary\//i.test(name)) name = name.slice('PRIMARY/'.length);
    else if (name.includes('/')) continue;
    const key = name.toLowerCase();
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(text(r.DATA_KEY), text(r.DATA_VALUE));
  }
  return out;
}

export async function readApplications(db: SourceDb, tenantId: number): Promise<Wso2Application[]> {
  if (!(await db.hasTable('SP_APP'))) return [];
  const apps = await db.query('select ID, APP_NAME, DESCRIPTION, AUTH_TYPE from SP_APP where TENANT_ID = ? order by ID', [tenantId]);
  const steps = await db.query('select ID, APP_ID, STEP_ORDER, IS_SUBJECT_STEP, IS_ATTRIBUTE_STEP from SP_AUTH_STEP where TENANT_ID = ? order by APP_ID, STEP_ORDER', [tenantId]);
  const options = await db.query(
    `select f.ID as STEP_ID, i.NAME as IDP_NAME, a.NAME as AUTHENTICATOR_NAME from SP_FEDERATED_IDP f
     join IDP_AUTHENTICATOR a on a.ID = f.AUTHENTICATOR_ID join IDP i on i.ID = a.IDP_ID
     where f.TENANT_ID = ? order by f.ID, a.ID`,
    [tenantId],
  );
  const inbound = (await db.hasTable('SP_INBOUND_AUTH'))
    ? await db.query("select distinct APP_ID, INBOUND_AUTH_TYPE, INBOUND_AUTH_KEY from SP_INBOUND_AUTH where TENANT_ID = ? and INBOUND_AUTH_KEY is not null and INBOUND_AUTH_KEY <> ''", [tenantId])
    : [];
  return apps.map((a) => {
    const id = int(a.ID);
    return {
      id,
      name: text(a.APP_NAME),
      description: text(a.DESCRIPTION),
      authType: text(a.AUTH_TYPE).toLowerCase(),
      steps: steps
        .filter((s) => int(s.APP_ID) === id)
        .map((s) => ({
          order: int(s.STEP_ORDER),
          subject: flag(s.IS_SUBJECT_STEP),
          attribute: flag(s.IS_ATTRIBUTE_STEP),
          options: options.filter((o) => int(o.STEP_ID) === int(s.ID)).map((o) => ({ idp: text(o.IDP_NAME), authenticator: text(o.AUTHENTICATOR_NAME) })),
        })),
      inbound: inbound.filter((i) => int(i.APP_ID) === id).map((i) => ({ type: text(i.INBOUND_AUTH_TYPE), key: text(i.INBOUND_AUTH_KEY) })),
    };
  });
}

/** The newest version of the tenant's TOTP XML in its registry (REG_PATH / REG_RESOURCE / REG_CONTENT), if any. */
export async function readTotpRegistryXml(db: SourceDb, tenantId: number): Promise<Buffer | undefined> {
  if (!(await db.hasTable('REG_RESOURCE'))) return undefined;
  const rows = await db.query(
    `select c.REG_CONTENT_DATA as DATA from REG_RESOURCE r
     join REG_PATH p on p.REG_PATH_ID = r.REG_PATH_ID and p.REG_TENANT_ID = r.REG_TENANT_ID
     join REG_CONTENT c on c.REG_CONTENT_ID = r.REG_CONTENT_ID and c.REG_TENANT_ID = r.REG_TENANT_ID
     where p.REG_PATH_VALUE = ? and r.REG_NAME = ? and r.REG_TENANT_ID = ? order by r.REG_VERSION desc`,
    [TOTP_REGISTRY_COLLECTION, TOTP_REGISTRY_NAME, tenantId],
  );
  const data = rows[0]?.DATA;
  if (data === undefined || data === null) return undefined;
  return Buffer.isBuffer(data) ? data : Buffer.from(text(data), 'utf8');
}
