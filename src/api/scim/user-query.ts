// Turns a parsed SCIM filter on Users into a store-neutral UserFilter for each user store: SCIM attribute ->
// local claim -> the store's attribute (each store maps claims on its own, as in WSO2). `not` is pushed down
// to the conditions (De Morgan), since stores only know eq/ne/co/sw/ew/pr combined with and/or.
import type { LocalClaim } from '../../claims/claim-metadata.ts';
import { isReleasable } from '../../claims/claim-read-policy.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { parseQualifiedName } from '../../users/qualified-name.ts';
import { USERNAME_ATTRIBUTE, type FilterOperator, type UserFilter } from '../../users/user-filter.ts';
import { scimError } from './errors.ts';
import type { ScimFilter } from './filter.ts';
import { splitSchema } from './user-schema.ts';

type Target = 'username' | LocalClaim;
type Node = { kind: 'condition'; target: Target; op: FilterOperator; value: string } | { kind: 'and' | 'or'; nodes: Node[] };

/** Filterable attribute paths (lower case) and the claims behind them; phone numbers span two claims. */
const TARGETS: Record<string, readonly string[]> = {
  username: [USERNAME_ATTRIBUTE],
  emails: [CLAIMS.email],
  'emails.value': [CLAIMS.email],
  'name.givenname': [CLAIMS.givenName],
  'name.familyname': [CLAIMS.lastName],
  'name.formatted': [CLAIMS.fullName],
  displayname: [CLAIMS.displayName],
  nickname: [CLAIMS.nickname],
  title: [CLAIMS.title],
  locale: [CLAIMS.locale],
  phonenumbers: [CLAIMS.mobile, CLAIMS.telephone],
  'phonenumbers.value': [CLAIMS.mobile, CLAIMS.telephone],
};

export const FILTERABLE_ATTRIBUTES = ['userName', 'emails', 'emails.value', 'name.givenName', 'name.familyName', 'name.formatted', 'displayName', 'nickName', 'title', 'locale', 'phoneNumbers', 'phoneNumbers.value'];

const NEGATED: Partial<Record<FilterOperator, FilterOperator>> = { eq: 'ne', ne: 'eq' };

const unsupported = (detail: string) => scimError('invalidFilter', detail);

class Compiler {
  constructor(private readonly claims: ReadonlyMap<string, LocalClaim>) {}

  private targets(path: string): Target[] {
    const { container, rest } = splitSchema(path);
    const uris = container ? undefined : TARGETS[rest.toLowerCase()];
    if (!uris) throw unsupported(`Filtering on '${path.slice(0, 80)}' is not supported; use ${FILTERABLE_ATTRIBUTES.join(', ')}.`);
    return uris.map((uri) => {
      if (uri === USERNAME_ATTRIBUTE) return 'username';
      const claim = this.claims.get(uri);
      // Only what an admin may read is searchable: a filter would reveal a value one guess at a time.
      if (!claim || !isReleasable(claim, 'admin')) throw unsupported(`Filtering on '${path.slice(0, 80)}' is not supported in this tenant.`);
      return claim;
    });
  }

  compile(f: ScimFilter, negate = false, prefix = ''): Node {
    switch (f.type) {
      case 'and':
      case 'or': {
        const kind = (f.type === 'and') !== negate ? 'and' : 'or';
        return { kind, nodes: [this.compile(f.left, negate, prefix), this.compile(f.right, negate, prefix)] };
      }
      case 'not':
        return this.compile(f.filter, !negate, prefix);
      case 'valuePath':
        if (prefix) throw unsupported('A value filter cannot nest another value filter.');
        return this.compile(f.filter, negate, `${f.path}.`);
      case 'present': {
        if (negate) throw unsupported('not(... pr) is not supported.');
        return this.join('or', this.targets(prefix + f.path), 'pr', '');
      }
      case 'compare': {
        const targets = this.targets(prefix + f.path);
        const op = negate ? NEGATED[f.op as FilterOperator] : (f.op as FilterOperator);
        if (['gt', 'lt', 'ge', 'le'].includes(f.op)) throw unsupported(`The operator '${f.op}' is not supported; use eq, ne, co, sw, ew or pr.`);
        if (!op) throw unsupported(`not(...) is supported around eq, ne, and, or; not around '${f.op}'.`);
        if (typeof f.value !== 'string') throw unsupported(`Compare '${f.path.slice(0, 80)}' with a "quoted string".`);
        // "ne" must hold for every claim behind the attribute; the other operators for any one of them.
        return this.join(op === 'ne' ? 'and' : 'or', targets, op, f.value);
      }
    }
  }

  private join(kind: 'and' | 'or', targets: Target[], op: FilterOperator, value: string): Node {
    const nodes: Node[] = targets.map((target) => ({ kind: 'condition', target, op, value }));
    return nodes.length === 1 ? nodes[0]! : { kind, nodes };
  }
}

const TRUE: UserFilter = { kind: 'and', filters: [] };
const FALSE: UserFilter = { kind: 'or', filters: [] };

/** userName values may name a store (`LDAP/bob`): then they match only in that store. */
function usernameCondition(op: FilterOperator, value: string, storeDomain: string): UserFilter {
  if (op === 'pr') return TRUE;
  const q = parseQualifiedName(value);
  if (q.storeDomain !== undefined && q.storeDomain !== storeDomain) return op === 'ne' ? TRUE : FALSE;
  const name = q.tenantDomain === undefined ? q.username : `${q.username}@${q.tenantDomain}`;
  return { kind: 'condition', attribute: USERNAME_ATTRIBUTE, op, value: q.storeDomain === undefined ? value : name };
}

function forStore(node: Node, storeDomain: string, attributeFor: (claim: LocalClaim, store: string) => string): UserFilter {
  if (node.kind !== 'condition') return { kind: node.kind, filters: node.nodes.map((n) => forStore(n, storeDomain, attributeFor)) };
  if (node.target === 'username') return usernameCondition(node.op, node.value, storeDomain);
  return { kind: 'condition', attribute: attributeFor(node.target, storeDomain), op: node.op, value: node.value };
}

/**
 * Checks a filter against what this server can search (throwing 400 invalidFilter otherwise) and returns the
 * per-store translation that UserService.list applies to each store.
 */
export function toStoreFilter(
  filter: ScimFilter,
  claims: readonly LocalClaim[],
  attributeFor: (claim: LocalClaim, storeDomain: string) => string,
): (storeDomain: string) => UserFilter {
  const node = new Compiler(new Map(claims.map((c) => [c.uri, c]))).compile(filter);
  return (storeDomain) => forStore(node, storeDomain, attributeFor);
}
