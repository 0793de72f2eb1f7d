// Public surface of the config subsystem: import from here, not from the files behind it.
export { ConfigError, isConfigError, formatProblem, type ConfigProblem } from './errors.ts';
export { decodeEncryptionKey, KEY_FORMAT } from './key-format.ts';
export { loadConfig, parseConfigText, readConfig, readConfigText, CONFIG_ENV, DEFAULT_CONFIG_PATH, ENCRYPTION_KEY_ENV, type LoadOptions, type LoadedConfig, type ReadOptions } from './load.ts';
export { readPkcs12 } from './wso2-keystore.ts';
export { configSchema, type Config, type TotpParameters } from './schema.ts';
export type { Infer, SchemaNode } from './schema-dsl.ts';
export { totpParameters, TOTP_PARAMETER_NAMES, type TotpParameterName } from './totp-schema.ts';
export { validateSection, type ValidateOptions, type ValidationResult } from './validate.ts';
export { renderConfigDocs } from './docs.ts';
export { LOGIN_PAGES, LOGIN_PAGE_ALIASES, loginPageAt, servedLoginPages, type LoginPage } from './login-pages.ts';
