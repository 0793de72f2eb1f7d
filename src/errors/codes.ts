// Every error code the server can return, with its HTTP status and user-safe text.
// Codes are stable: clients match on them. Add new ones; never renumber or reuse.
export interface ErrorDefinition {
  status: number;
  message: string;
  description: string;
}

export const ERROR_CODES = {
  // Generic request problems
  'PCS-40000': { status: 400, message: 'Invalid request.', description: 'The request is malformed.' },
  'PCS-40001': { status: 400, message: 'Invalid input.', description: 'A field has a wrong type or value.' },
  'PCS-40100': { status: 401, message: 'Authentication required.', description: 'Send valid credentials with the request.' },
  'PCS-40300': { status: 403, message: 'Access denied.', description: 'The caller may not perform this operation.' },
  'PCS-40400': { status: 404, message: 'Not found.', description: 'The requested resource does not exist.' },
  'PCS-40500': { status: 405, message: 'Method not allowed.', description: 'This method is not supported here.' },
  'PCS-40900': { status: 409, message: 'Conflict.', description: 'The resource already exists or was changed concurrently.' },
  'PCS-41300': { status: 413, message: 'Request too large.', description: 'The request body exceeds the allowed size.' },
  'PCS-41500': { status: 415, message: 'Unsupported media type.', description: 'The request content type is not supported.' },
  'PCS-42900': { status: 429, message: 'Too many requests.', description: 'Slow down and try again later.' },
  'PCS-50000': { status: 500, message: 'Server error.', description: 'The server could not complete the request.' },
  'PCS-50300': { status: 503, message: 'Service unavailable.', description: 'A backing service is not reachable.' },

  // Tenants
  'TNT-40401': { status: 404, message: 'Tenant not found.', description: 'No active tenant has this domain.' },
  'TNT-40901': { status: 409, message: 'Tenant exists.', description: 'A tenant with this domain already exists.' },
  'TNT-40001': { status: 400, message: 'Invalid tenant domain.', description: 'A tenant domain is a lower-case DNS-like name such as example.com.' },

  // Users and user stores
  'USR-40001': { status: 400, message: 'Invalid user name.', description: 'The user name is empty, too long or contains characters that are not allowed.' },
  'USR-40002': { status: 400, message: 'Invalid password.', description: 'The password does not meet the password policy.' },
  'USR-40003': { status: 400, message: 'Unknown user store.', description: 'No user store with this domain name is configured for the tenant.' },
  'USR-40004': { status: 400, message: 'User store is read-only.', description: 'Users in this user store cannot be changed here.' },
  'USR-40401': { status: 404, message: 'User not found.', description: 'No user matches the request.' },
  'USR-40901': { status: 409, message: 'User exists.', description: 'A user with this name already exists in the user store.' },

  // Claims
  'CLM-40001': { status: 400, message: 'Invalid claim.', description: 'The claim URI or its properties are not valid.' },
  'CLM-40002': { status: 400, message: 'Claim is read-only.', description: 'This claim cannot be changed through this API.' },
  'CLM-40401': { status: 404, message: 'Claim not found.', description: 'No local claim has this URI or id.' },
  'CLM-40901': { status: 409, message: 'Claim exists.', description: 'A local claim with this URI already exists.' },

  // Secrets at rest
  'SEC-50001': { status: 500, message: 'Unable to decrypt a stored secret.', description: 'The stored value was changed, or was encrypted with a key this server does not have.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;
