// Evaluates a parsed filter against one value of a multi-valued attribute in memory, for PATCH paths such as
// `emails[type eq "work"].value` (RFC 7644 section 3.5.2). Strings compare without regard to case, since
// every string sub-attribute we support has caseExact false (RFC 7643 section 2.2).
import { scimError } from './errors.ts';
import type { CompValue, ScimFilter } from './filter.ts';

type Json = Record<string, unknown>;

function field(element: unknown, path: string): unknown {
  // A plain value (["a@example.com"]) behaves as {value: "a@example.com"}.
  const obj: Json = element !== null && typeof element === 'object' ? (element as Json) : { value: element };
  const key = Object.keys(obj).find((k) => k.toLowerCase() === path.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function compare(actual: unknown, op: string, expected: CompValue): boolean {
  if (op === 'ne') return !compare(actual, 'eq', expected);
  if (actual === undefined || actual === null) return op === 'eq' && expected === null;
  if (typeof expected === 'string' && typeof actual === 'string') {
    const a = actual.toLowerCase();
    const e = expected.toLowerCase();
    switch (op) {
      case 'eq':
        return a === e;
      case 'co':
        return a.includes(e);
      case 'sw':
        return a.startsWith(e);
      case 'ew':
        return a.endsWith(e);
      case 'gt':
        return a > e;
      case 'lt':
        return a < e;
      case 'ge':
        return a >= e;
      case 'le':
        return a <= e;
    }
  }
  if (op === 'eq') return actual === expected;
  return false;
}

export function matchesElement(element: unknown, filter: ScimFilter): boolean {
  switch (filter.type) {
    case 'compare':
      return compare(field(element, filter.path), filter.op, filter.value);
    case 'present': {
      const v = field(element, filter.path);
      return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
    }
    case 'and':
      return matchesElement(element, filter.left) && matchesElement(element, filter.right);
    case 'or':
      return matchesElement(element, filter.left) || matchesElement(element, filter.right);
    case 'not':
      return !matchesElement(element, filter.filter);
    case 'valuePath':
      throw scimError('invalidPath', 'A value filter cannot nest another value filter.');
  }
}
