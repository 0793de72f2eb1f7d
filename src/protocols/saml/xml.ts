// Moved to saml-core/ (shared by this IdP side and the upstream SAML authenticator); re-exported for this front's files.
export * from '../../saml-core/xml.ts';
