// Config errors happen before the server (and its AppError edge) exists, so they are their own type.
// The message is ready to print: one problem per line, `file:line: [section] key: what is wrong`.

export interface ConfigProblem {
  /** Dotted key path as written, e.g. `server.port`. */
  readonly key: string;
  /** 1-based line in the config file, when known (never for JSON overrides or the environment). */
  readonly line?: number;
  /** 1-based column, only for TOML syntax errors. */
  readonly column?: number;
  /** What is wrong, without the file and line prefix. Never contains a secret value. */
  readonly message: string;
  /** Where the value came from when it is not the file, e.g. `PORTCULLIS_ENCRYPTION_KEY`. */
  readonly source?: string;
}

export function formatProblem(problem: ConfigProblem, fileLabel: string): string {
  if (problem.source !== undefined) return `${problem.source}: ${problem.message}`;
  let where = fileLabel;
  if (problem.line !== undefined) where += `:${problem.line}`;
  if (problem.line !== undefined && problem.column !== undefined) where += `:${problem.column}`;
  return `${where}: ${problem.message}`;
}

/** File order first (by line), then problems without a line, keeping discovery order for ties. */
function byLine(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

export class ConfigError extends Error {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(fileLabel: string, problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort(byLine);
    super(sorted.map((p) => formatProblem(p, fileLabel)).join('\n'));
    this.name = 'ConfigError';
    this.file = fileLabel;
    this.problems = sorted;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
