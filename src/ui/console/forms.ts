// Reading url-encoded form posts and query strings: a field is a string or, when repeated (checkboxes), a
// list. Everything else a body might hold (JSON objects) is ignored rather than trusted.
export type Form = Record<string, string | string[]>;

export function formOf(body: unknown): Form {
  const out: Form = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
  }
  return out;
}

/** The field's value ('' when absent; the first one when repeated). */
export function text(form: Form, name: string): string {
  const v = form[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Every value of a repeated field. */
export function values(form: Form, name: string): string[] {
  const v = form[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export const PAGE_SIZE = 20;

export interface Paging {
  page: number;
  offset: number;
  limit: number;
}

/** ?page=N (1-based); anything else is page 1. */
export function paging(query: Form, size = PAGE_SIZE): Paging {
  const n = Number.parseInt(text(query, 'page'), 10);
  const page = Number.isSafeInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
  return { page, offset: (page - 1) * size, limit: size };
}

/** Links to the previous and next pages, keeping the other query parameters. */
export function pagerOf(base: string, params: Record<string, string>, p: Paging, total: number) {
  const link = (page: number) => {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
    if (page > 1) q.set('page', String(page));
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  const pages = Math.max(1, Math.ceil(total / p.limit));
  return {
    page: p.page,
    pages,
    total,
    prev: p.page > 1 ? link(p.page - 1) : undefined,
    next: p.page < pages ? link(p.page + 1) : undefined,
  };
}
