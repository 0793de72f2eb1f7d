// WSO2 keys that sit inside sections this server also has. A key of such a section that is neither ours nor
// listed here is refused (with a did-you-mean), so a typo in our own settings still stops the start. Tables
// this server does not have at all are WSO2's (or someone's) and only warned about, unless their name is a
// near miss of one of ours; the few WSO2 tables that are such near misses are listed too.
// Sources: the stock deployment.toml and default.json of wso2/product-is v5.11.0 to v7.2.0
// (modules/distribution/src/repository/resources/conf/), and WSO2's configuration catalog pages.

/** Dotted section path -> WSO2 key names in it that have no effect here, with why when it helps. */
export const WSO2_KEYS_IN_OUR_SECTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  server: {
    node_ip: 'the address is [server] bind_address here',
    internal_hostname: '',
    force_local_cache: 'caches here are per node and short-lived',
    hide_menu_items: 'there is no Carbon management console',
    userstore_password_encryption: '',
  },
  super_admin: { admin_role: 'the administrator is the tenant admin here', everyone_role: '' },
  'database.identity_db': { driver: 'the driver follows type', validationQuery: '', id: '' },
  'authentication.authenticator.totp': { name: 'the authenticator is always "totp"' },
  'authentication.authenticator.totp.parameters': { totpEnrollInSinglePage: 'enrolment is one page here: QR code, key and code together' },
  'transport.https': { enabled: 'HTTPS is always on' },
  encryption: {
    internal_crypto_provider: 'secrets are always AES-256-GCM here',
    type: 'secrets are always AES-256-GCM here',
    totpKey: 'TOTP secrets use [encryption] key here; WSO2\'s key matters only when importing WSO2 data',
    old_key: 'use previous_keys',
    enable_key_id: 'ciphertexts always carry a key id here',
  },
  keystore: { userstore_password_encryption: 'user store passwords are encrypted with the server keyring here' },
  'output_adapter.email': {},
  'identity_mgt.account_locking': {},
};

/** WSO2 tables whose names are one typo away from ours; without this list they would be refused as typos. */
export const WSO2_NEAR_MISS_TABLES: ReadonlySet<string> = new Set(['admin_service', 'transport.http']);
