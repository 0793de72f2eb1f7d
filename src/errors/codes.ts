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
  'PCS-40002': { status: 400, message: 'Malformed encoding.', description: 'The request has a malformed percent-encoding, Base64 or UTF-8 sequence.' },
  'PCS-40003': { status: 400, message: 'Malformed JSON.', description: 'The request body is not valid JSON, is nested too deeply or uses a forbidden key.' },
  'PCS-40100': { status: 401, message: 'Authentication required.', description: 'Send valid credentials with the request.' },
  'PCS-40300': { status: 403, message: 'Access denied.', description: 'The caller may not perform this operation.' },
  'PCS-40400': { status: 404, message: 'Not found.', description: 'The requested resource does not exist.' },
  'PCS-40500': { status: 405, message: 'Method not allowed.', description: 'This method is not supported here.' },
  'PCS-40900': { status: 409, message: 'Conflict.', description: 'The resource already exists or was changed concurrently.' },
  'PCS-41300': { status: 413, message: 'Request too large.', description: 'The request body exceeds the allowed size.' },
  'PCS-41400': { status: 414, message: 'URI too long.', description: 'A part of the request path is longer than allowed.' },
  'PCS-41500': { status: 415, message: 'Unsupported media type.', description: 'The request content type is not supported.' },
  'PCS-42900': { status: 429, message: 'Too many requests.', description: 'Slow down and try again later.' },
  'PCS-50000': { status: 500, message: 'Server error.', description: 'The server could not complete the request.' },
  'PCS-50300': { status: 503, message: 'Service unavailable.', description: 'A backing service is not reachable.' },
  'PCS-50301': { status: 503, message: 'Server busy.', description: 'The server is not starting new logins for a moment. Try again after the time in Retry-After.' },

  // Tenants
  'TNT-40401': { status: 404, message: 'Tenant not found.', description: 'No active tenant has this domain.' },
  'TNT-40901': { status: 409, message: 'Tenant exists.', description: 'A tenant with this domain already exists.' },
  'TNT-40001': { status: 400, message: 'Invalid tenant domain.', description: 'A tenant domain is a lower-case DNS-like name such as example.com.' },
  'TNT-40002': { status: 400, message: 'Invalid tenant owner.', description: 'A tenant needs exactly one owner with a user name and a password.' },
  'TNT-40301': { status: 403, message: 'Super tenant only.', description: 'Only the admin of the super tenant (carbon.super) manages tenants.' },
  'TNT-40302': { status: 403, message: 'Super tenant cannot be deactivated.', description: 'carbon.super is always active.' },

  // Users and user stores
  'USR-40001': { status: 400, message: 'Invalid user name.', description: 'The user name is empty, too long or contains characters that are not allowed.' },
  'USR-40002': { status: 400, message: 'Invalid password.', description: 'The password does not meet the password policy.' },
  'USR-40003': { status: 400, message: 'Unknown user store.', description: 'No user store with this domain name is configured for the tenant.' },
  'USR-40004': { status: 400, message: 'User store is read-only.', description: 'Users in this user store cannot be changed here.' },
  'USR-40005': { status: 400, message: 'Refused by the user store.', description: 'The user store refused the change: a value it does not accept, or an attribute it requires removed.' },
  'USR-40401': { status: 404, message: 'User not found.', description: 'No user matches the request.' },
  'USR-40901': { status: 409, message: 'User exists.', description: 'A user with this name already exists in the user store.' },
  'USR-40902': { status: 409, message: 'Ambiguous user name.', description: 'The user name exists in more than one user store; qualify it with the store domain, e.g. JDBC/carol.' },
  'USR-50301': { status: 503, message: 'User store unavailable.', description: 'The user store that holds this user does not answer. Try again later.' },
  'USR-40301': { status: 403, message: "The tenant's admin is protected.", description: "The tenant's admin cannot be deleted, disabled or locked by an admin action: nobody would be left to manage the tenant." },
  // Secondary stores added at run time (users/store-definitions.ts, /api/server/v1/userstores)
  'USR-40006': { status: 400, message: 'Invalid user store settings.', description: 'A user store property is missing, unknown or has a wrong value; the description names it.' },
  'USR-40402': { status: 404, message: 'User store not found.', description: 'The tenant has no user store with this id.' },
  'USR-40903': { status: 409, message: 'User store domain in use.', description: 'The tenant already has a user store with this domain name (PRIMARY, one declared in deployment.toml, or one added before).' },
  'USR-40904': { status: 409, message: 'User store is declared in deployment.toml.', description: 'A store declared in deployment.toml is read-only here; change it in the file.' },

  // Claims
  'CLM-40001': { status: 400, message: 'Invalid claim.', description: 'The claim URI or its properties are not valid.' },
  'CLM-40002': { status: 400, message: 'Claim is read-only.', description: 'This claim cannot be changed through this API.' },
  'CLM-40003': { status: 400, message: 'Unsupported claim pattern.', description: 'Claim patterns run on a linear-time engine (RE2): backreferences and lookaround are not supported, and a pattern must stay small.' },
  'CLM-40004': { status: 400, message: 'Claim value too long.', description: 'A value checked against a claim pattern may have at most 1024 characters.' },
  'CLM-40401': { status: 404, message: 'Claim not found.', description: 'No local claim has this URI or id.' },
  'CLM-40901': { status: 409, message: 'Claim exists.', description: 'A local claim with this URI already exists.' },

  // SCIM 2.0 (RFC 7644 section 3.12): the scimType of each code is in src/api/scim/errors.ts
  'SCM-40001': { status: 400, message: 'Invalid filter.', description: 'The filter syntax is invalid or names an unsupported attribute or operator.' },
  'SCM-40002': { status: 400, message: 'Invalid syntax.', description: 'The request body is not a valid SCIM message.' },
  'SCM-40003': { status: 400, message: 'Invalid path.', description: 'The PATCH path is invalid or names an unsupported attribute.' },
  'SCM-40004': { status: 400, message: 'No target.', description: 'The PATCH path matches no value.' },
  'SCM-40005': { status: 400, message: 'Invalid value.', description: 'A required value is missing or a value has the wrong type.' },
  'SCM-40006': { status: 400, message: 'Attribute is immutable.', description: 'The request tries to change an attribute that cannot be changed.' },

  // TOTP outside the login (me/totp REST API and TOTPAdminService): WSO2's codes and texts, with correct statuses
  // (WSO2 answers OTP-10002 and OTP-10004 with 505).
  'OTP-10001': { status: 401, message: 'Access denied.', description: 'The request could not be authenticated.' },
  'OTP-10002': { status: 400, message: 'Invalid input provided.', description: 'The provided action ID does not exist.' },
  'OTP-10003': { status: 404, message: "QR Code URL doesn't exist.", description: 'No QR Code URL registered for the authenticated user' },
  'OTP-10004': { status: 400, message: 'Verification code not present.', description: 'Validation operation requires verification code to be present.' },
  'OTP-10005': { status: 403, message: 'Access denied.', description: 'This method is blocked for the requests with basic authentication.' },
  'OTP-10006': { status: 409, message: 'Secret key is not generated yet.', description: 'Start an enrolment (INIT, initTOTP or generateSecret) before validating its code.' },
  'OTP-10008': { status: 403, message: 'Second factor required.', description: "Seeing or changing an enrolled user's TOTP needs a current code first: sign in with TOTP, or confirm a code from your app (My Account's Security page, or VALIDATE)." },
  'OTP-10007': { status: 423, message: 'Account locked.', description: 'The account is locked or disabled; codes are not checked.' },

  // Login flows
  'FLW-40001': { status: 400, message: 'Invalid login request.', description: 'The submission does not fit the current login step.' },
  'FLW-40002': { status: 400, message: 'The login was not completed.', description: 'The login could not be completed. Start again from the application.' },
  'FLW-40401': { status: 404, message: 'Login session not found.', description: 'This login has expired or belongs to another browser. Start again from the application.' },
  'FLW-40901': { status: 409, message: 'The login changed.', description: 'This login was continued in another window. Use that window, or start again.' },

  // Applications
  'APP-40001': { status: 400, message: 'Invalid application.', description: 'The application settings are not valid.' },
  'APP-40002': { status: 400, message: 'Unknown or disabled authenticator.', description: 'An authentication step names an authenticator that does not exist or is disabled.' },
  'APP-40401': { status: 404, message: 'Application not found.', description: 'No application matches the request.' },
  'APP-40901': { status: 409, message: 'Application exists.', description: 'An application with this name or identifier already exists in the tenant.' },
  'APP-40301': { status: 403, message: 'System application.', description: 'This built-in application cannot be deleted or renamed.' },

  // Notifications (email templates and sending)
  'NTF-40001': { status: 400, message: 'No email address.', description: 'The user has no email address to send the message to.' },
  'NTF-40002': { status: 400, message: 'Invalid email template.', description: 'The email template is not valid.' },
  'NTF-40401': { status: 404, message: 'Email template type not found.', description: 'No email template type has this id.' },
  'NTF-40402': { status: 404, message: 'Email template not found.', description: 'The template type has no template for this locale.' },
  'NTF-50301': { status: 503, message: 'Email could not be sent.', description: 'The mail server did not accept the message. Try again later.' },

  // SAML 2.0 (shown as an error page when the request cannot be answered safely at a trusted ACS)
  'SAML-40001': { status: 400, message: 'Invalid SAML message.', description: 'The SAML message is malformed or not allowed here.' },
  'SAML-40002': { status: 400, message: 'Unknown service provider.', description: 'No application of this tenant has this SAML issuer.' },
  'SAML-40003': { status: 400, message: 'Assertion consumer URL not registered.', description: 'The requested assertion consumer service is not registered for this application.' },
  'SAML-40004': { status: 400, message: 'Invalid SAML signature.', description: 'The application requires signed requests and the signature is missing, invalid or uses an algorithm that is not accepted.' },
  'SAML-40005': { status: 400, message: 'RelayState too long.', description: 'RelayState may have at most 80 bytes (SAML bindings, section 3.4.3).' },
  'SAML-40006': { status: 403, message: 'IdP-initiated login not allowed.', description: 'This application does not accept logins started at the identity provider.' },
  'SAML-40007': { status: 400, message: 'Single logout not enabled.', description: 'Single logout is not enabled for this application.' },
  'SAML-40008': { status: 400, message: 'No logout in progress.', description: 'This logout response does not belong to a logout in progress in this browser.' },
  'SAML-41301': { status: 413, message: 'SAML message too large.', description: 'The SAML message exceeds the allowed size.' },
  'SAML-40901': { status: 409, message: 'Key rotation in progress.', description: 'Another rotation of this key happened at the same time. Try again.' },

  // Signing keys (SAML's rotation race keeps SAML-40901)
  'KEY-40901': { status: 409, message: 'Key rotation in progress.', description: 'Another rotation of this key happened at the same time. Try again.' },

  // OpenID Connect
  'OIDC-40001': { status: 400, message: 'Sign-in request expired.', description: 'This sign-in request is unknown or has expired. Start again from the application.' },
  'OIDC-40002': { status: 400, message: 'Unknown client.', description: 'No OpenID Connect application of this tenant has this client id.' },
  'OIDC-40003': { status: 400, message: 'Sign-out link expired.', description: 'This sign-out link is not valid or has expired. Sign out again from the application.' },

  // Federated identity providers (identity-providers/, /api/server/v1/identity-providers)
  'IDP-40001': { status: 400, message: 'Invalid identity provider.', description: 'An identity provider setting is missing or has a wrong value; the description names it.' },
  'IDP-40401': { status: 404, message: 'Identity provider not found.', description: 'The tenant has no identity provider with this id.' },
  'IDP-40901': { status: 409, message: 'Identity provider exists.', description: 'The tenant already has an identity provider with this name.' },
  'IDP-40902': { status: 409, message: 'Account already linked.', description: 'This upstream account is already linked to a local account.' },
  'IDP-40402': { status: 404, message: 'Linked account not found.', description: 'The user has no linked account with this id.' },

  // Secrets at rest
  'SEC-50001': { status: 500, message: 'Unable to decrypt a stored secret.', description: 'The stored value was changed, or was encrypted with a key this server does not have.' },
  'SEC-40901': {
    status: 409,
    message: 'Stored secret missing.',
    description: "The account's TOTP secret is not in the user store that keeps it. An administrator can reset the account's TOTP so that it enrols again.",
  },
  'SEC-40902': {
    status: 409,
    message: 'Stored secret not valid.',
    description: "The TOTP secret in the user store does not decrypt for this account (it was changed, or copied from another account). An administrator can reset the account's TOTP so that it enrols again.",
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;
