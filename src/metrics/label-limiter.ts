// Bounds the values one label takes. Tenant domains and application names are chosen by tenants, not by us:
// without a bound, a tenant creating thousands of applications would create thousands of series in every
// scraper. The first `max` values seen keep their own series; later ones share "other". A node forgets
// nothing until it restarts, so a series never changes meaning while it lives.
export const OTHER = 'other';
const MAX_LENGTH = 64;

export class LabelLimiter {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** The label for `value`: itself (cut to 64 characters, control characters removed) or "other". */
  label(value: string): string {
    // eslint-disable-next-line no-control-regex
    const clean = value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_LENGTH);
    if (this.seen.has(clean)) return clean;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(clean);
    return clean;
  }
}
