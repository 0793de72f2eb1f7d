// A store-neutral filter over users, built from SCIM filters by the API layer and translated by each store
// (SQL WHERE clauses, LDAP filters). `attribute` is either the user name or a store attribute name.
export type FilterOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr';

export interface AttributeCondition {
  kind: 'condition';
  /** `username`, or an attribute name the store keeps (e.g. `mail`, `givenName`). */
  attribute: string;
  op: FilterOperator;
  value: string;
}

export interface LogicalFilter {
  kind: 'and' | 'or';
  filters: UserFilter[];
}

export type UserFilter = AttributeCondition | LogicalFilter;

/** The user name pseudo-attribute in filters. */
export const USERNAME_ATTRIBUTE = 'username';
