// UserFilter -> SQL for a JDBC store, on the same terms as PRIMARY: case-insensitive comparisons, LIKE with
// '!' as the escape (the same on PostgreSQL and MySQL), `ne` true for users without the attribute.
import { sql } from 'kysely';
import { USERNAME_ATTRIBUTE, type AttributeCondition, type UserFilter } from '../user-filter.ts';
import { MANAGED_ATTRIBUTES, ref, table, type Layout, type Sql } from './jdbc-layout.ts';

function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const v = value.toLowerCase().replace(/[!%_]/g, '!$&');
  return op === 'co' ? `%${v}%` : op === 'sw' ? `${v}%` : `%${v}`;
}

function compare(column: Sql, cond: AttributeCondition): Sql {
  switch (cond.op) {
    case 'pr':
      return sql`${column} is not null`;
    case 'eq':
    case 'ne':
      return sql`lower(${column}) = ${cond.value.toLowerCase()}`;
    default:
      return sql`lower(${column}) like ${likePattern(cond.op, cond.value)} escape '!'`;
  }
}

function condition(layout: Layout, cond: AttributeCondition): Sql {
  let test: Sql;
  if (cond.attribute === USERNAME_ATTRIBUTE) test = cond.op === 'pr' ? sql`1 = 1` : compare(ref(`u.${layout.username}`), cond);
  else if (layout.managed) {
    test = sql`exists (select 1 from ${table(MANAGED_ATTRIBUTES)} a where a.user_id = u.id and a.name = ${cond.attribute} and ${compare(ref('a.value'), { ...cond, op: cond.op === 'ne' ? 'eq' : cond.op })})`;
    return cond.op === 'ne' ? sql`not ${test}` : test;
  } else {
    const column = layout.columns[cond.attribute];
    if (!column) return cond.op === 'ne' ? sql`1 = 1` : sql`1 = 0`;
    test = compare(ref(`u.${column}`), cond);
    if (cond.op === 'ne') return sql`(${ref(`u.${column}`)} is null or not (${test}))`;
    return test;
  }
  return cond.op === 'ne' ? sql`not (${test})` : test;
}

export function whereOf(layout: Layout, filter: UserFilter): Sql {
  if (filter.kind === 'condition') return sql`(${condition(layout, filter)})`;
  // An empty and/or is "true"/"false" (a SCIM filter on another store's userName); SQL has no empty ().
  if (filter.filters.length === 0) return filter.kind === 'and' ? sql`(1 = 1)` : sql`(1 = 0)`;
  const parts = filter.filters.map((f) => whereOf(layout, f));
  return sql`(${sql.join(parts, sql.raw(filter.kind === 'and' ? ' and ' : ' or '))})`;
}
