// Reads config/deployment.toml (or the file PORTCULLIS_CONFIG names), validates it against the schema
// and returns the frozen, fully defaulted config, or throws one ConfigError listing every problem.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError, formatProblem, type ConfigProblem } from './errors.ts';
import { checkEncryptionKey } from './key-format.ts';
import { configSchema, type Config } from './schema.ts';
import { lineOf, scanKeyLines } from './toml-lines.ts';
import { validateSection } from './validate.ts';
import { readWso2Forms } from './wso2-dropin.ts';
import { readPkcs12 } from './wso2-keystore.ts';

export const DEFAULT_CONFIG_PATH = 'config/deployment.toml';
export const CONFIG_ENV = 'PORTCULLIS_CONFIG';
export const ENCRYPTION_KEY_ENV = 'PORTCULLIS_ENCRYPTION_KEY';

export interface LoadOptions {
  /** Config file; wins over PORTCULLIS_CONFIG. A named file must exist. */
  path?: string;
  /** Environment to read PORTCULLIS_* from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against (default process.cwd()). */
  cwd?: string;
  /** Refuse WSO2 settings that have no effect here instead of warning (`--strict`; also `[config] strict`). */
  strict?: boolean;
}

export interface ReadOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  strict?: boolean;
}

/** A loaded config and the start-up warnings about it, ready to print (file:line: [section] key: why). */
export interface LoadedConfig {
  readonly config: Config;
  readonly warnings: readonly string[];
}

/** smol-toml's message without its "Invalid TOML document:" prefix and code excerpt, which could show a secret. */
function syntaxMessage(error: TomlError): string {
  const first = error.message.split('\n')[0] ?? '';
  return first.replace(/^Invalid TOML document:\s*/, '');
}

function parseToml(text: string, fileLabel: string): Record<string, unknown> {
  try {
    return parse(text, { unsafeKeyBehaviour: 'throw' });
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const problem = { key: '', line: error.line, column: error.column, message: `invalid TOML: ${syntaxMessage(error)}` };
    throw new ConfigError(fileLabel, [problem]);
  }
}

/** Environment overrides, validated like file values; they never echo the value. */
function applyEnv(config: Config, env: Record<string, string | undefined>, problems: ConfigProblem[]): Config {
  const key = env[ENCRYPTION_KEY_ENV];
  if (key === undefined || key === '') return config;
  const expected = checkEncryptionKey(key);
  if (expected !== undefined) {
    problems.push({ key: 'encryption.key', source: ENCRYPTION_KEY_ENV, message: `expected ${expected} (value not shown: secret)` });
    return config;
  }
  const encryption = Object.freeze({ ...config.encryption, key: key.trim() });
  return Object.freeze({ ...config, encryption });
}

/**
 * Validates TOML text as a deployment.toml, reading WSO2's forms (wso2-dropin.ts). `fileLabel` is how messages
 * name the file. `env` supplies overrides such as PORTCULLIS_ENCRYPTION_KEY (none by default, so tests are not
 * affected by the shell). Under `strict` (or `[config] strict`), every warning is a problem instead.
 */
export function readConfigText(text: string, fileLabel: string, options: ReadOptions = {}): LoadedConfig {
  const raw = parseToml(text, fileLabel);
  const lines = scanKeyLines(text);
  const dropIn = readWso2Forms(raw, configSchema, { lines, cwd: options.cwd ?? process.cwd() });
  const result = validateSection(configSchema, dropIn.raw, '', { lines });
  const strict = options.strict === true || result.value.config.strict;
  const refused = strict ? dropIn.warnings.map((w) => ({ ...w, message: `${w.message} (refused in strict mode: remove it, or start without --strict and [config] strict)` })) : [];
  const problems = [...dropIn.problems, ...result.errors, ...refused];
  const config = applyEnv(result.value, options.env ?? {}, problems);
  if (problems.length === 0) checkKeystore(config, problems, lines);
  if (problems.length > 0) throw new ConfigError(fileLabel, problems);
  const warnings = strict ? [] : [...dropIn.warnings].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { config, warnings: warnings.map((w) => formatProblem(w, fileLabel)) };
}

/** A keystore that is there but cannot be opened stops the start here, with the config's other problems. */
function checkKeystore(config: Config, problems: ConfigProblem[], lines: ReturnType<typeof scanKeyLines>): void {
  const keystore = config.keystore.primary;
  if (keystore.file_name === '') return;
  try {
    readPkcs12(keystore.file_name, { password: keystore.password, alias: keystore.alias, keyPassword: keystore.key_password });
  } catch (error) {
    const line = lineOf(lines, ['keystore', 'primary', 'file_name']);
    const reason = error instanceof Error ? error.message : String(error);
    problems.push({ key: 'keystore.primary.file_name', ...(line === undefined ? {} : { line }), message: `[keystore.primary] file_name: ${reason}` });
  }
}

/** readConfigText without the warnings, for callers that only need the values. */
export function parseConfigText(text: string, fileLabel: string, env: Record<string, string | undefined> = {}): Config {
  return readConfigText(text, fileLabel, { env }).config;
}

function readIfPresent(file: string, label: string, namedBy: string | undefined): string | undefined {
  try {
    // A byte order mark (editors on Windows) is not TOML; drop it rather than fail on line 1.
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && namedBy === undefined) return undefined;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`;
    const suffix = namedBy === undefined ? '' : ` (named by ${namedBy})`;
    throw new ConfigError(label, [{ key: '', message: `config file ${reason}${suffix}` }]);
  }
}

/**
 * Loads the deployment config with its start-up warnings. A missing default file means "all defaults"; a
 * missing file named by `options.path` or PORTCULLIS_CONFIG is an error. Throws ConfigError with a printable message.
 */
export function readConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = env[CONFIG_ENV] === '' ? undefined : env[CONFIG_ENV];
  const named = options.path ?? fromEnv;
  const namedBy = options.path !== undefined ? '--config' : fromEnv !== undefined ? CONFIG_ENV : undefined;
  const label = named ?? DEFAULT_CONFIG_PATH;
  const text = readIfPresent(resolve(cwd, label), label, namedBy);
  return readConfigText(text ?? '', label, { env, cwd, ...(options.strict === undefined ? {} : { strict: options.strict }) });
}

/** readConfig without the warnings. */
export function loadConfig(options: LoadOptions = {}): Config {
  return readConfig(options).config;
}
