// PATCH (RFC 7644 section 3.5.2) applied to a resource's JSON: pure, so it can be tested without a server.
// The caller turns the resulting document back into claim changes and decides what actually changed.
//
// Paths: attr, attr.sub, attr[filter], attr[filter].sub, each optionally prefixed by a schema URN
// (`urn:scim:wso2:schema:accountLocked`). Without a path the value is an object of attributes.
import { isAppError } from '../../errors/app-error.ts';
import { scimError } from './errors.ts';
import { matchesElement } from './filter-match.ts';
import { parseFilter, type ScimFilter } from './filter.ts';
import { findAttribute, splitSchema, WSO2_SCHEMA, type AttrDef } from './user-schema.ts';

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_OPERATIONS = 100;

type Json = Record<string, unknown>;
export type PatchOpName = 'add' | 'replace' | 'remove';
export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

interface Target {
  container: string | undefined;
  attr: AttrDef;
  filter?: ScimFilter;
  sub?: AttrDef;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const PATH = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s;

/** Reads and checks a PatchOp message (section 3.5.2): schemas, Operations, op names, values. */
export function readOperations(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimError('invalidSyntax', 'The body must be a PatchOp object.');
  const schemas = body.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(PATCH_SCHEMA))) {
    throw scimError('invalidSyntax', `schemas must contain ${PATCH_SCHEMA}.`);
  }
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = key === undefined ? undefined : body[key];
  if (!Array.isArray(ops) || ops.length === 0) throw scimError('invalidSyntax', 'Operations must be a non-empty array.');
  if (ops.length > MAX_OPERATIONS) throw scimError('invalidValue', `At most ${MAX_OPERATIONS} operations are allowed in one request.`);
  return ops.map((raw: unknown, i) => {
    if (!isObject(raw)) throw scimError('invalidSyntax', `Operation ${i + 1} must be an object.`);
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw scimError('invalidSyntax', `Operation ${i + 1}: op must be add, replace or remove.`);
    if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path.trim() === '')) throw scimError('invalidPath', `Operation ${i + 1}: path must be a non-empty string.`);
    if (op !== 'remove' && raw.value === undefined) throw scimError('invalidValue', `Operation ${i + 1}: ${op} needs a value.`);
    return { op, ...(raw.path !== undefined ? { path: (raw.path as string).trim() } : {}), ...(raw.value !== undefined ? { value: raw.value } : {}) };
  });
}

function parsePath(path: string): Target | { container: string } {
  const { container, rest } = splitSchema(path);
  if (rest === '' && container) return { container };
  const m = PATH.exec(rest);
  if (!m) throw scimError('invalidPath', `'${path.slice(0, 80)}' is not a valid attribute path.`);
  const [, name, filterText, subName] = m as unknown as [string, string, string | undefined, string | undefined];
  const attr = findAttribute(container, name);
  if (!attr) throw scimError('invalidPath', `The attribute '${name}' is not supported.`);
  const sub = subName === undefined ? undefined : attr.subAttributes?.find((s) => s.name.toLowerCase() === subName.toLowerCase());
  if (subName !== undefined && !sub) throw scimError('invalidPath', `'${attr.name}' has no sub-attribute '${subName}'.`);
  if (attr.mutability === 'readOnly' || sub?.mutability === 'readOnly') throw scimError('mutability', `'${sub ? `${attr.name}.${sub.name}` : attr.name}' is read-only.`);
  if (filterText === undefined) return { container, attr, ...(sub ? { sub } : {}) };
  if (!attr.multiValued) throw scimError('invalidPath', `'${attr.name}' is not multi-valued, so it cannot take a value filter.`);
  try {
    return { container, attr, filter: parseFilter(filterText), ...(sub ? { sub } : {}) };
  } catch (err) {
    if (isAppError(err)) throw scimError('invalidPath', `The value filter in the path is invalid: ${err.description}`);
    throw err;
  }
}

/** Renames keys to the schema's spelling; plain strings in multi-valued attributes become {value}. */
function normalise(attr: AttrDef, value: unknown): unknown {
  if (attr.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => (isObject(item) ? normaliseComplex(attr, item) : { value: item }));
  }
  return attr.type === 'complex' && isObject(value) ? normaliseComplex(attr, value) : value;
}

function normaliseComplex(attr: AttrDef, value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = attr.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
    if (!sub) throw scimError('invalidValue', `'${attr.name}' has no sub-attribute '${k.slice(0, 40)}'.`);
    out[sub.name] = v;
  }
  return out;
}

class Patcher {
  constructor(readonly doc: Json) {}

  private holder(container: string | undefined): Json {
    if (!container) return this.doc;
    if (!isObject(this.doc[container])) this.doc[container] = {};
    return this.doc[container] as Json;
  }

  private list(t: Target): Json[] {
    const current = this.holder(t.container)[t.attr.name];
    return Array.isArray(current) ? (current as unknown[]).map((v) => (isObject(v) ? v : { value: v })) : [];
  }

  /** Operations without a path, or with a bare extension URN: the value is an object of attributes. */
  applyToResource(op: PatchOpName, container: string | undefined, value: unknown): void {
    if (op === 'remove') throw scimError('noTarget', 'remove needs a path.');
    if (!isObject(value)) throw scimError('invalidValue', `${op} without a path needs an object of attributes as its value.`);
    for (const [key, v] of Object.entries(value)) {
      if (!container && key.toLowerCase() === WSO2_SCHEMA.toLowerCase()) {
        this.applyToResource(op, WSO2_SCHEMA, v);
        continue;
      }
      const attr = findAttribute(container, key);
      // Unknown and read-only attributes in a whole-resource value are ignored, as in a PUT (section 3.5.1).
      if (!attr || attr.mutability === 'readOnly' || key.includes('.')) continue;
      this.apply(op, { container, attr }, v);
    }
  }

  apply(op: PatchOpName, t: Target, value: unknown): void {
    const holder = this.holder(t.container);
    const name = t.attr.name;
    if (t.filter) return this.applyFiltered(op, t, value);
    if (op === 'remove') {
      if (t.attr.multiValued && !t.sub && Array.isArray(value)) {
        // Remove the listed values only (a form some provisioning clients send).
        const drop = (normalise(t.attr, value) as Json[]).map((d) => String(d.value).toLowerCase());
        holder[name] = this.list(t).filter((e) => !drop.includes(String(e.value).toLowerCase()));
      } else if (t.sub && t.attr.multiValued) holder[name] = this.list(t).map(({ [t.sub!.name]: _gone, ...rest }) => rest);
      else if (t.sub && isObject(holder[name])) delete (holder[name] as Json)[t.sub.name];
      else if (!t.sub) delete holder[name];
      return;
    }
    if (t.sub) {
      if (!t.attr.multiValued) holder[name] = { ...(isObject(holder[name]) ? holder[name] : {}), [t.sub.name]: value };
      else {
        const items = this.list(t);
        holder[name] = items.length === 0 ? [{ [t.sub.name]: value }] : items.map((e) => ({ ...e, [t.sub!.name]: value }));
      }
      return;
    }
    const v = normalise(t.attr, value);
    if (t.attr.multiValued) holder[name] = op === 'add' ? mergeValues(this.list(t), v as Json[]) : onePrimary(v as Json[]);
    else if (t.attr.type === 'complex' && isObject(v)) holder[name] = { ...(isObject(holder[name]) ? holder[name] : {}), ...v };
    else holder[name] = v;
  }

  private applyFiltered(op: PatchOpName, t: Target, value: unknown): void {
    const items = this.list(t);
    const hits = items.filter((e) => matchesElement(e, t.filter!));
    const holder = this.holder(t.container);
    if (op === 'remove') {
      holder[t.attr.name] = t.sub ? items.map((e) => (hits.includes(e) ? withoutKey(e, t.sub!.name) : e)) : items.filter((e) => !hits.includes(e));
      return;
    }
    const patchOne = (e: Json): Json => (t.sub ? { ...e, [t.sub.name]: value } : { ...e, ...(normaliseComplex(t.attr, asObject(value))) });
    if (hits.length > 0) {
      holder[t.attr.name] = onePrimary(items.map((e) => (hits.includes(e) ? patchOne(e) : e)));
      return;
    }
    // `phoneNumbers[type eq "mobile"].value` with no mobile number yet: create it, as provisioning clients expect.
    const seed = t.filter!.type === 'compare' && t.filter!.op === 'eq' ? t.filter! : undefined;
    const seedSub = seed && t.attr.subAttributes?.find((s) => s.name.toLowerCase() === seed.path.toLowerCase());
    if (!seed || !seedSub) throw scimError('noTarget', `No value of '${t.attr.name}' matches the filter.`);
    holder[t.attr.name] = onePrimary([...items, patchOne({ [seedSub.name]: seed.value })]);
  }
}

function asObject(value: unknown): Json {
  if (!isObject(value)) throw scimError('invalidValue', 'The value must be an object of sub-attributes.');
  return value;
}

function withoutKey(e: Json, key: string): Json {
  const { [key]: _gone, ...rest } = e;
  return rest;
}

/** Adds values that are not there yet (same `value`, ignoring case), as section 3.5.2.1 asks. */
function mergeValues(current: Json[], added: Json[]): Json[] {
  const out = [...current];
  for (const a of added) {
    const i = out.findIndex((e) => String(e.value).toLowerCase() === String(a.value).toLowerCase());
    if (i >= 0) out[i] = { ...out[i], ...a };
    else out.push(a);
  }
  return onePrimary(out);
}

/** RFC 7643 section 2.4: at most one value is primary; the last one marked wins. */
function onePrimary(items: Json[]): Json[] {
  const last = items.map((e) => e.primary === true).lastIndexOf(true);
  return last < 0 ? items : items.map((e, i) => (i === last || e.primary !== true ? e : { ...e, primary: false }));
}

/** Applies the operations in order to a copy of the resource and returns the copy. */
export function applyPatch(resource: Json, operations: PatchOperation[]): Json {
  const patcher = new Patcher(structuredClone(resource));
  for (const op of operations) {
    if (op.path === undefined) {
      patcher.applyToResource(op.op, undefined, op.value);
      continue;
    }
    const target = parsePath(op.path);
    if (!('attr' in target)) patcher.applyToResource(op.op, target.container, op.value);
    else patcher.apply(op.op, target, op.value);
  }
  return patcher.doc;
}
