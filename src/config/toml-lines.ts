// Maps dotted key paths to the line that defines them, so validation errors can name a line.
// smol-toml returns plain values without positions, so we scan the text ourselves. The scanner only
// runs on text smol-toml has already accepted; it needs to understand headers, keys and enough of
// values (strings, multi-line strings, arrays, inline tables, comments) to know where a statement ends.

/** Dotted path -> 1-based line. Keys inside inline tables are not recorded; see `lineOf`. */
export type KeyLines = ReadonlyMap<string, number>;

const SEP = '\u0000';
const BARE_KEY = /[A-Za-z0-9_-]/;

class Scanner {
  pos = 0;
  line = 1;
  constructor(readonly text: string) {}

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }
  advance(count = 1): void {
    for (let i = 0; i < count && this.pos < this.text.length; i++) {
      if (this.text[this.pos] === '\n') this.line++;
      this.pos++;
    }
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.advance();
  }
  skipToLineEnd(): void {
    while (this.pos < this.text.length && this.peek() !== '\n') this.advance();
  }

  /** A quoted string starting at the current quote; returns its decoded content. */
  quoted(): string {
    const quote = this.peek();
    const start = this.pos;
    this.advance();
    while (this.pos < this.text.length && this.peek() !== quote && this.peek() !== '\n') {
      this.advance(quote === '"' && this.peek() === '\\' ? 2 : 1);
    }
    this.advance();
    const raw = this.text.slice(start, this.pos);
    if (quote === "'") return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1); // TOML-only escapes such as \e; good enough for a line lookup
    }
  }

  /** Skips a multi-line string whose opening delimiter is at the current position. */
  multiline(delimiter: string): void {
    this.advance(3);
    while (this.pos < this.text.length) {
      if (delimiter === '"""' && this.peek() === '\\') this.advance(2);
      else if (this.startsWith(delimiter)) {
        this.advance(3);
        // Up to two quotes may sit right before the closing delimiter (`""""x""""` is legal).
        while (this.peek() === delimiter[0]) this.advance();
        return;
      } else this.advance();
    }
  }

  /** A possibly dotted key: `a`, `"a.b"`, `a . 'b' . c`. */
  key(): string[] | undefined {
    const parts: string[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '"' || c === "'") parts.push(this.quoted());
      else {
        const start = this.pos;
        while (BARE_KEY.test(this.peek())) this.advance();
        if (this.pos === start) return undefined;
        parts.push(this.text.slice(start, this.pos));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return parts;
      this.advance();
    }
  }

  /** Skips one value, across lines when it is a multi-line string or an array/inline table. */
  value(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '\n' && depth === 0) return;
      if (this.startsWith('"""') || this.startsWith("'''")) this.multiline(this.text.slice(this.pos, this.pos + 3));
      else if (c === '"' || c === "'") this.quoted();
      else if (c === '#') this.skipToLineEnd();
      else {
        if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') depth--;
        this.advance();
      }
    }
  }
}

export function scanKeyLines(text: string): KeyLines {
  const lines = new Map<string, number>();
  const arrayLast = new Map<string, number>(); // array-of-tables path -> index of its last element
  const s = new Scanner(text);
  let table: string[] = [];

  const record = (path: readonly string[], line: number, override: boolean): void => {
    for (let i = 1; i <= path.length; i++) {
      const id = path.slice(0, i).join(SEP);
      if (!lines.has(id) || (override && i === path.length)) lines.set(id, line);
    }
  };
  // `[a.b]` after `[[a]]` means b inside the last element of a: put the element index in the path.
  const resolve = (path: readonly string[]): string[] => {
    const out: string[] = [];
    for (const part of path) {
      out.push(part);
      const last = arrayLast.get(out.join(SEP));
      if (last !== undefined) out.push(String(last));
    }
    return out;
  };

  while (s.pos < text.length) {
    s.skipSpaces();
    const c = s.peek();
    const line = s.line;
    if (c === '\n' || c === '\r') s.advance();
    else if (c === '#') s.skipToLineEnd();
    else if (c === '[') {
      const isArray = s.peek(1) === '[';
      s.advance(isArray ? 2 : 1);
      const path = s.key() ?? [];
      if (isArray) {
        const parent = resolve(path.slice(0, -1)).concat(path.slice(-1));
        const id = parent.join(SEP);
        const index = (arrayLast.get(id) ?? -1) + 1;
        arrayLast.set(id, index);
        table = [...parent, String(index)];
      } else table = resolve(path);
      record(table, line, true);
      s.skipToLineEnd();
    } else {
      const key = s.key();
      s.skipSpaces();
      if (key === undefined || s.peek() !== '=') {
        s.skipToLineEnd(); // not valid TOML; smol-toml has reported it already
        continue;
      }
      s.advance();
      record([...table, ...key], line, false);
      s.value();
    }
  }
  return lines;
}

/** Line of `path`, or of its nearest recorded ancestor (a key in an inline table, a missing key). */
export function lineOf(lines: KeyLines, path: readonly string[]): number | undefined {
  for (let i = path.length; i > 0; i--) {
    const line = lines.get(path.slice(0, i).join(SEP));
    if (line !== undefined) return line;
  }
  return undefined;
}
