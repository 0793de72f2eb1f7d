// What an import did, per kind of thing: how many were imported, how many were already here from an earlier run,
// and how many were skipped, grouped by reason with the names concerned (user names, application names, tenant
// domains: never a secret, a hash or a claim value).
export const KINDS = ['tenants', 'users', 'claims', 'totp secrets', 'applications', 'totp settings'] as const;
export type Kind = (typeof KINDS)[number];

interface Tally {
  imported: number;
  already: number;
  skipped: Map<string, string[]>;
  /** Things imported without a part of them (e.g. an application without its SAML settings), by what is missing. */
  notes: Map<string, string[]>;
}

type Grouped = Record<string, { count: number; names: string[] }>;

function add(map: Map<string, string[]>, key: string, name: string): void {
  if (!map.has(key)) map.set(key, []);
  map.get(key)!.push(name);
}

/** At most this many names are listed per reason; the count is always complete. */
const MAX_NAMES = 20;

export class ImportReport {
  /** Whole-run remarks (e.g. the identity tables are not in the given database), printed first. */
  readonly warnings: string[] = [];

  private readonly tallies = new Map<Kind, Tally>(KINDS.map((k) => [k, { imported: 0, already: 0, skipped: new Map(), notes: new Map() }]));

  imported(kind: Kind, count = 1): void {
    this.tallies.get(kind)!.imported += count;
  }

  already(kind: Kind): void {
    this.tallies.get(kind)!.already += 1;
  }

  skipped(kind: Kind, reason: string, name: string): void {
    add(this.tallies.get(kind)!.skipped, reason, name);
  }

  note(kind: Kind, what: string, name: string): void {
    add(this.tallies.get(kind)!.notes, what, name);
  }

  count(kind: Kind): { imported: number; already: number; skipped: number } {
    const t = this.tallies.get(kind)!;
    return { imported: t.imported, already: t.already, skipped: [...t.skipped.values()].reduce((n, names) => n + names.length, 0) };
  }

  reasons(kind: Kind): Record<string, string[]> {
    return Object.fromEntries(this.tallies.get(kind)!.skipped);
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  toJSON(): { warnings: string[] } & Record<Kind, { imported: number; alreadyImported: number; skipped: number; reasons: Grouped; notes: Grouped }> {
    const grouped = (m: Map<string, string[]>): Grouped => Object.fromEntries([...m].map(([r, names]) => [r, { count: names.length, names: names.slice(0, MAX_NAMES) }]));
    const kinds = Object.fromEntries(
      KINDS.map((k) => {
        const c = this.count(k);
        const t = this.tallies.get(k)!;
        return [k, { imported: c.imported, alreadyImported: c.already, skipped: c.skipped, reasons: grouped(t.skipped), notes: grouped(t.notes) }];
      }),
    ) as Record<Kind, { imported: number; alreadyImported: number; skipped: number; reasons: Grouped; notes: Grouped }>;
    return { warnings: [...this.warnings], ...kinds };
  }

  /** Plain text for a terminal, one kind per block. */
  format(): string {
    const lines: string[] = this.warnings.map((w) => `warning: ${w}`);
    for (const kind of KINDS) {
      const c = this.count(kind);
      lines.push(`${kind}: ${c.imported} imported, ${c.already} already imported by an earlier run, ${c.skipped} skipped`);
      const list = (names: string[]) => `${names.slice(0, MAX_NAMES).join(', ')}${names.length > MAX_NAMES ? `, and ${names.length - MAX_NAMES} more` : ''}`;
      for (const [reason, names] of this.tallies.get(kind)!.skipped) lines.push(`  skipped ${names.length}: ${reason} (${list(names)})`);
      for (const [what, names] of this.tallies.get(kind)!.notes) lines.push(`  note, ${names.length}: ${what} (${list(names)})`);
    }
    return lines.join('\n');
  }
}
