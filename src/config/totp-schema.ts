// The TOTP authenticator's parameters: WSO2's names (camelCase, as in application-authentication.xml)
// and defaults (carbon-identity-framework default.json), plus WSO2's deployment.toml snake_case
// aliases. Lenient because WSO2 files often write them as strings (`timeStepSize = "30"`).
// The same section validates per-tenant overrides given as JSON (validateSection).
import { checkLocalPage } from './login-pages.ts';
import { bool, int, oneOf, section, str, wso2Encoding } from './schema-dsl.ts';

// A page is a path relative to the server's base URL or an absolute http(s) URL.
export const PAGE = /^(?:https?:\/\/[^\s/]+(?:\/\S*)?|\/?[^\s:]+)$/;
export const PAGE_FORMAT = 'a relative path such as "authenticationendpoint/totp.do" or an absolute http(s) URL';

/** "primary, LDAP" -> "primary,LDAP". WSO2 splits without trimming, so " LDAP" never matched there. */
function trimDomains(value: string): string {
  return value
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .join(',');
}

export const totpParameters = section(
  {
    encodingMethod: wso2Encoding({
      default: 'Base32',
      description:
        'Text encoding of TOTP secrets: how a new secret is written in the QR code and shown to the user, and how a stored one is decoded. Authenticator apps expect Base32 (RFC 4648 section 6). Read as WSO2 reads it: exactly "Base64" (case-sensitive) means Base64, any other text means Base32; a start-up warning names a value that is neither "Base32" nor "Base64".',
    }),
    timeStepSize: int({
      default: 30,
      min: 1,
      max: 300,
      description:
        'TOTP time step in seconds (X in RFC 6238 section 4). Used to verify codes, to compute codes sent by email and as `period` in the otpauth URI. Most authenticator apps only support 30. WSO2\'s REST validate action always uses 30; Portcullis uses this value everywhere.',
    }),
    windowSize: int({
      default: 3,
      min: 1,
      max: 21,
      description:
        'How many time steps are accepted in total, as in WSO2 (not that many on each side): offsets from -floor((w-1)/2) to +floor(w/2) around the current step. 3 accepts the previous, current and next step; 1 only the current one; an even value accepts one more step in the future than in the past.',
    }),
    authenticationMandatory: bool({
      default: true,
      description:
        'When true, a user who has no TOTP secret must enrol before passing the TOTP step (see enrolUserInAuthenticationFlow; with enrolment during login off, the step fails). When false, such a user passes the TOTP step without a code.',
    }),
    enrolUserInAuthenticationFlow: bool({
      default: true,
      description:
        'When true, a user without a TOTP secret is shown the enrolment page (QR code) during login. The new secret is saved only after the user enters a correct code from it (WSO2 saves it earlier).',
    }),
    usecase: oneOf(['local', 'association', 'userAttribute', 'subjectUri'], {
      default: 'local',
      valueAliases: { '': 'local' },
      description:
        'From WSO2\'s legacy authenticator: how the local user is found when the earlier step was a federated login. local: the same user name, tried in each `secondaryUserstore` domain; association: the local account associated with the federated one; userAttribute: the value of the claim named by `userAttribute`; subjectUri: the federated subject identifier. Current WSO2 releases ignore it.',
    }),
    userAttribute: str({
      default: '',
      description:
        'Claim URI whose value, among the federated user\'s attributes, is the local user name. Required when usecase is "userAttribute"; otherwise unused.',
    }),
    secondaryUserstore: str({
      default: 'primary',
      normalize: trimDomains,
      description:
        'Comma-separated user store domains tried in order when resolving a federated user with usecase "local", e.g. "primary, LDAP". Entries are trimmed and empty ones dropped (WSO2 does not trim, so " LDAP" never matched there).',
    }),
    TOTPAuthenticationEndpointURL: str({
      default: 'authenticationendpoint/totp.do',
      aliases: ['totp_authentication_endpointURL'],
      pattern: PAGE,
      format: PAGE_FORMAT,
      check: checkLocalPage('totp.do'),
      description:
        'Page where the user enters a TOTP code. A relative path is resolved against the server\'s public base URL (under /t/{tenant}/ for tenants); an absolute URL is used as is.',
    }),
    TOTPAuthenticationEndpointErrorPage: str({
      default: 'authenticationendpoint/totp_error.do',
      aliases: ['totp_authentication_endpoint_error_page'],
      pattern: PAGE,
      format: PAGE_FORMAT,
      check: checkLocalPage('totp_error.do'),
      description:
        'Page shown when the TOTP step fails for good (for example when the account is locked). Resolved like TOTPAuthenticationEndpointURL. Current WSO2 releases no longer redirect to it.',
    }),
    TOTPAuthenticationEndpointEnableTOTPPage: str({
      default: 'authenticationendpoint/totp_enroll.do',
      aliases: ['totp_authentication_endpoint_enable_totp_page'],
      pattern: PAGE,
      format: PAGE_FORMAT,
      check: checkLocalPage('totp_enroll.do'),
      description: 'Enrolment page showing the QR code and the key. Resolved like TOTPAuthenticationEndpointURL.',
    }),
    Issuer: str({
      default: '',
      description:
        'Issuer name shown in authenticator apps (the otpauth URI\'s issuer and label prefix). Empty: the tenant\'s own Issuer (its TOTP override), else the tenant domain. A non-empty value here applies to the super tenant, and to every tenant when UseCommonIssuer = true. WSO2 uses the file\'s Issuer only with UseCommonIssuer = true; its docs show "WSO2", its default.json leaves it unset.',
    }),
    UseCommonIssuer: bool({
      default: false,
      description:
        'When true and Issuer is not empty, every tenant uses Issuer instead of its own. WSO2\'s docs show true; its default.json leaves it unset (false).',
    }),
    HideUserStoreFromDisplayInQRUrl: bool({
      default: false,
      aliases: ['hide_user_store_from_display_name_in_qr_url'],
      description:
        'When true, the user store prefix ("LDAP/") is left out of the user name in the QR code label.',
    }),
    useEventHandlerBasedEmailSender: bool({
      default: true,
      aliases: ['enable_html_template_based_emails_for_totp'],
      description:
        'Accepted for WSO2 compatibility. WSO2 switches between its HTML template email sender (true) and a legacy plain sender (false); Portcullis always sends the email code through its notification templates ([output_adapter.email]).',
    }),
    AllowSendingVerificationCodeByEmail: bool({
      default: false,
      aliases: ['allow_sending_verification_code_by_email'],
      description:
        'When true, the code-entry page offers "Get a Verification Code" to send a code to the user\'s email address (form field sendToken). Email codes are rate-limited and single-use in Portcullis.',
    }),
    EnableAccountLockingForFailedAttempts: bool({
      default: true,
      description:
        'When true, wrong TOTP codes count towards locking the account (own counter, limits from [identity_mgt.account_locking], which must have enable_account_locking = true). The login in progress ends when the account locks.',
    }),
    PreventTOTPCodeReuse: bool({
      default: true,
      description:
        'When true, a code is accepted at most once per user (RFC 6238 section 5.2), enforced with one atomic database update so two nodes or tabs cannot both accept it. WSO2 silently turns this off when a claim is missing; Portcullis does not.',
    }),
    showAuthFailureReason: bool({
      default: false,
      description:
        'When true, pages the user is redirected to after a failure carry the reason: errorCode, lockedReason, unlockTime (minutes) and remainingAttempts. Off by default because it tells an attacker how many attempts remain.',
    }),
    showAuthFailureReasonOnLoginPage: bool({
      default: false,
      description:
        'Only with showAuthFailureReason = true: also keep the failure reason on the code-entry page for an enrolled user (otherwise only error pages get it).',
    }),
    accountLockAuthFailureMessage: str({
      default: 'login.fail.message',
      description: 'Message key (authFailureMsg) put on the retry page when the account is locked.',
    }),
    redirectToMultiOptionPageOnFailure: bool({
      default: false,
      description:
        'When the step offers several authenticators and this is true, a failure returns the user to the page listing the options instead of retrying TOTP.',
    }),
    enableRetryFromAuthenticator: bool({
      default: true,
      description: 'Console metadata kept from WSO2 (its authenticator does not read it); no effect in Portcullis.',
    }),
    Tags: str({
      default: 'MFA',
      description: 'Comma-separated tags the console shows for the authenticator (WSO2 metadata).',
    }),
    algorithm: oneOf(['SHA1', 'SHA256', 'SHA512'], {
      default: 'SHA1',
      description:
        'Portcullis extension. HMAC hash for new TOTP secrets (RFC 6238 section 1.2); written into the otpauth URI when not SHA1. Many authenticator apps ignore it and use SHA1, so change it only if your users\' apps support it. WSO2 always uses SHA1.',
    }),
    digits: oneOf([6, 8], {
      default: 6,
      description:
        'Portcullis extension. Number of digits in a code; written into the otpauth URI when not 6. WSO2 always uses 6.',
    }),
    secretLength: int({
      default: 20,
      min: 16,
      max: 64,
      description:
        'Portcullis extension. Length of new TOTP secrets in bytes, at least 16 (128 bits, RFC 4226 section 4). 20 matches the SHA1 output size RFC 4226 recommends. WSO2 generates 10-byte secrets; those still verify when imported.',
    }),
  },
  {
    lenient: true,
    description:
      'Parameters of the TOTP authenticator, with WSO2\'s names and defaults, so a WSO2 `[authentication.authenticator.totp.parameters]` section works unchanged. Values may be written as strings ("30", "true"), as WSO2 files often do; a value that is still wrong after that is refused. Other tenants can override these parameters for themselves; the same rules apply.',
    checks: [
      (p) =>
        p.usecase === 'userAttribute' && p.userAttribute.trim() === ''
          ? { key: 'userAttribute', message: 'required when usecase = "userAttribute"' }
          : undefined,
    ],
  },
);

/**
 * [authentication.authenticator.totp] allow_secret_in_enrolment_url: deployment-wide only (not a parameter a
 * tenant can override), because turning it on puts every enrolling user's secret into a URL.
 */
export const allowSecretInEnrolmentUrl = bool({
  default: false,
  description:
    'When true, an enrolment page on another host (an absolute TOTPAuthenticationEndpointEnableTOTPPage) gets WSO2\'s `ske` query parameter: the Base64 otpauth URI with the new secret, for login pages written for WSO2 that draw the QR code from it. The secret then sits in the browser history and in the access logs of every proxy and server on the way, so the server warns at start. Off: external enrolment pages get no secret and should show the QR through our own enrolment page. Our own pages never need it.',
});

/** Canonical TOTP parameter names, in schema order. */
export const TOTP_PARAMETER_NAMES = Object.freeze(Object.keys(totpParameters.fields)) as readonly TotpParameterName[];
export type TotpParameterName = keyof typeof totpParameters.fields;
