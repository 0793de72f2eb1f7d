// Moving users over from another server (issue 9, item 4): what an imported TOTP secret carries, and the bulk
// form's CSV (`username,secret[,algorithm,digits,period]`, Base32 secrets, an optional header line). The CSV is
// read here, once, for every front that takes it (the REST API and the console); each line becomes an input of
// its own or a refusal naming its line, so one bad line never stops the others. No message quotes a secret.

/** The secret and the parameters the user's authenticator app already uses (what an otpauth URI carries). */
export interface TotpImport {
  secret: string;
  encoding: 'Base32' | 'Base64';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: 6 | 8;
  period: number;
}

export interface TotpImportFailure {
  /** 1-based line number in the submitted text. */
  line: number;
  username: string;
  code: string;
  description: string;
}

export interface TotpImportReport {
  imported: number;
  failed: TotpImportFailure[];
}

export type CsvLine = { line: number; username: string; input: TotpImport } | { line: number; username: string; failure: string };

/** More lines than this are refused as a whole: an import is a batch job, not an unbounded one. */
export const MAX_CSV_LINES = 10_000;
export const MAX_USERNAME_LENGTH = 255;
export const MAX_SECRET_LENGTH = 2048;

const ALGORITHMS = new Set(['SHA1', 'SHA256', 'SHA512']);

function isHeader(fields: string[]): boolean {
  return fields[0]?.toLowerCase() === 'username' && fields[1]?.toLowerCase() === 'secret';
}

/**
 * Reads the CSV into lines (blank lines skipped). Fields are trimmed; quoting is not supported (neither user
 * names nor Base32 secrets contain commas). Types are checked here; ranges (digits, period) and the secret's
 * text are checked by the credentials layer, which is the one door for them.
 */
export function parseTotpCsv(text: string): CsvLine[] | undefined {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (raw.length > MAX_CSV_LINES + 1) return undefined;
  const first = raw.findIndex((r) => r.trim() !== '');
  const lines: CsvLine[] = [];
  raw.forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    const fields = content.split(',').map((f) => f.trim());
    if (index === first && isHeader(fields)) return;
    const username = (fields[0] ?? '').slice(0, MAX_USERNAME_LENGTH);
    const [, secret = '', algorithm = '', digits = '', period = ''] = fields;
    const fail = (failure: string) => lines.push({ line, username, failure });
    if (fields.length < 2 || fields.length > 5) return fail('A line has 2 to 5 fields: username,secret[,algorithm,digits,period].');
    if (username === '') return fail('username is empty.');
    if (secret === '' || secret.length > MAX_SECRET_LENGTH) return fail(`secret must be 1 to ${MAX_SECRET_LENGTH} characters of Base32.`);
    const alg = algorithm === '' ? 'SHA1' : algorithm.toUpperCase();
    if (!ALGORITHMS.has(alg)) return fail('algorithm must be SHA1, SHA256 or SHA512.');
    if (digits !== '' && !/^\d{1,2}$/.test(digits)) return fail('digits must be 6 or 8.');
    if (period !== '' && !/^\d{1,6}$/.test(period)) return fail('period must be a whole number of seconds.');
    lines.push({
      line,
      username,
      input: {
        secret,
        encoding: 'Base32',
        algorithm: alg as TotpImport['algorithm'],
        digits: (digits === '' ? 6 : Number(digits)) as TotpImport['digits'],
        period: period === '' ? 30 : Number(period),
      },
    });
  });
  return lines;
}
