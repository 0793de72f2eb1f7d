// Placeholder substitution for email templates: {{name}} with optional spaces inside the braces, as WSO2's
// templates write `{{ user.claim.givenname}}`. One pass, so a value that itself looks like a placeholder
// (a given name of "{{token}}") is printed as typed, never expanded.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface RenderOptions {
  /** Escape values for HTML (the template's own markup is kept). */
  html: boolean;
  /** Replace line breaks in values with spaces (subjects: a header must stay one line). */
  singleLine?: boolean;
  /** Told about each placeholder that has no value; it renders as empty. */
  onUnknown?: (name: string) => void;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The distinct placeholder names in a text, in order of first use. */
export function placeholdersOf(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names];
}

export function renderTemplate(text: string, lookup: (name: string) => string | undefined, options: RenderOptions): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    out += text.slice(last, m.index);
    last = m.index + m[0].length;
    const name = m[1]!;
    let value = lookup(name);
    if (value === undefined) {
      options.onUnknown?.(name);
      value = '';
    }
    if (options.singleLine) value = value.replace(/[\r\n]+/g, ' ');
    // "Hi {{user.claim.givenname}}," for a user without a given name reads "Hi," rather than "Hi ,".
    if (value === '' && out.endsWith(' ') && /^[,.;:!?]/.test(text.slice(last))) out = out.slice(0, -1);
    out += options.html ? escapeHtml(value) : value;
  }
  return out + text.slice(last);
}
