// Reads config/deployment.toml (or the file PORTCULLIS_CONFIG names), validates it against the schema
// and returns the frozen, fully defaulted config, or throws one ConfigError listing every problem.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { checkEncryptionKey } from './key-format.ts';
import { configSchema, type Config } from './schema.ts';
import { scanKeyLines } from './toml-lines.ts';
import { validateSection } from './validate.ts';

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
 * Validates TOML text as a deployment.toml. `fileLabel` is how messages name the file. `env` supplies
 * overrides such as PORTCULLIS_ENCRYPTION_KEY (none by default, so tests are not affected by the shell).
 */
export function parseConfigText(text: string, fileLabel: string, env: Record<string, string | undefined> = {}): Config {
  const raw = parseToml(text, fileLabel);
  const result = validateSection(configSchema, raw, '', { lines: scanKeyLines(text) });
  const problems = [...result.errors];
  const config = applyEnv(result.value, env, problems);
  if (problems.length > 0) throw new ConfigError(fileLabel, problems);
  return config;
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
 * Loads the deployment config. A missing default file means "all defaults"; a missing file named by
 * `options.path` or PORTCULLIS_CONFIG is an error. Throws ConfigError with a printable message.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = env[CONFIG_ENV] === '' ? undefined : env[CONFIG_ENV];
  const named = options.path ?? fromEnv;
  const namedBy = options.path !== undefined ? 'the path option' : fromEnv !== undefined ? CONFIG_ENV : undefined;
  const label = named ?? DEFAULT_CONFIG_PATH;
  const text = readIfPresent(resolve(cwd, label), label, namedBy);
  return parseConfigText(text ?? '', label, env);
}
