// The store types as WSO2's user store managers (GET /userstores/meta/types): each with the properties it takes,
// their defaults and descriptions taken from the [[user_store]] schema, so the API documents what it checks.
import { userStoreSection } from '../config/user-store-schema.ts';
import { isSecretKey, KEYS_OF, propertyNameOf, STORE_TYPES, typeIdOf, type StoreType } from './store-properties.ts';

const MANDATORY: Record<StoreType, readonly string[]> = {
  database: ['url'],
  ldap: ['connection_url', 'user_search_base'],
  active_directory: ['connection_url', 'user_search_base'],
};

/** WSO2's manager name for a store: LDAP splits into read-only and read-write managers. */
export function storeTypeNameOf(s: { type: StoreType; readOnly: boolean }): string {
  const candidates = STORE_TYPES.filter((t) => t.type === s.type);
  return (candidates.find((t) => t.readOnly === s.readOnly) ?? candidates[0]!).typeName;
}

export function storeMetaTypes() {
  return STORE_TYPES.map((t) => {
    const property = (key: string) => {
      const field = userStoreSection.fields[key as keyof typeof userStoreSection.fields];
      return { name: propertyNameOf(key), defaultValue: key === 'read_only' ? String(t.readOnly) : String(field.default), description: field.description, secret: isSecretKey(key) };
    };
    const keys = KEYS_OF[t.type];
    return {
      typeId: typeIdOf(t.typeName),
      typeName: t.typeName,
      className: t.className,
      properties: { mandatory: keys.filter((k) => MANDATORY[t.type].includes(k)).map(property), optional: keys.filter((k) => !MANDATORY[t.type].includes(k)).map(property) },
    };
  });
}
