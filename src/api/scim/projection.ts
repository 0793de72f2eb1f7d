// `attributes` and `excludedAttributes` (RFC 7644 section 3.9): which attributes a response carries.
// `id` and `schemas` are always returned (RFC 7643 section 3.1, returned "always").
import { splitSchema, WSO2_SCHEMA } from './user-schema.ts';

type Json = Record<string, unknown>;

const ALWAYS = new Set(['id', 'schemas']);

/** Accepts "a,b.c" (query strings) or ["a", "b.c"] (SearchRequest bodies). */
export function attributeList(value: unknown): string[] | undefined {
  const parts = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(',') : [];
  const list = parts.map((p) => p.trim()).filter((p) => p !== '');
  return list.length > 0 ? list : undefined;
}

/** [container key or undefined, attribute, sub-attribute] with the resource's own spelling of each name. */
function locate(resource: Json, path: string): [string | undefined, string, string | undefined] | undefined {
  const { container, rest } = splitSchema(path);
  const holder = container ? (resource[WSO2_SCHEMA] as Json | undefined) : resource;
  if (!holder || typeof holder !== 'object') return undefined;
  if (container && rest === '') return [undefined, WSO2_SCHEMA, undefined];
  const [head, sub] = rest.split('.', 2) as [string, string | undefined];
  const key = Object.keys(holder).find((k) => k.toLowerCase() === head.toLowerCase());
  return key === undefined ? undefined : [container ? WSO2_SCHEMA : undefined, key, sub];
}

function copy(from: Json, to: Json, key: string, sub: string | undefined): void {
  const value = from[key];
  if (sub === undefined || value === null || typeof value !== 'object') {
    to[key] = value;
    return;
  }
  const pick = (obj: Json): Json => Object.fromEntries(Object.entries(obj).filter(([k]) => k.toLowerCase() === sub.toLowerCase()));
  if (Array.isArray(value)) to[key] = value.map((v) => (v !== null && typeof v === 'object' ? pick(v as Json) : v));
  else to[key] = { ...((to[key] as Json | undefined) ?? {}), ...pick(value as Json) };
}

export function project(resource: Json, attributes?: string[], excluded?: string[]): Json {
  if (attributes) {
    const out: Json = Object.fromEntries(Object.entries(resource).filter(([k]) => ALWAYS.has(k)));
    for (const path of attributes) {
      const at = locate(resource, path);
      if (!at) continue;
      const [container, key, sub] = at;
      if (!container) copy(resource, out, key, sub);
      else {
        out[container] ??= {};
        copy(resource[container] as Json, out[container] as Json, key, sub);
      }
    }
    return out;
  }
  if (!excluded) return resource;
  const out = structuredClone(resource);
  for (const path of excluded) {
    const at = locate(out, path);
    if (!at || ALWAYS.has(at[1])) continue;
    const [container, key, sub] = at;
    const holder = container ? (out[container] as Json) : out;
    const value = holder[key];
    if (sub === undefined) delete holder[key];
    else if (Array.isArray(value)) holder[key] = value.map((v: Json) => Object.fromEntries(Object.entries(v).filter(([k]) => k.toLowerCase() !== sub.toLowerCase())));
    else if (value && typeof value === 'object') holder[key] = Object.fromEntries(Object.entries(value).filter(([k]) => k.toLowerCase() !== sub.toLowerCase()));
  }
  return out;
}
