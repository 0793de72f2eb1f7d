// The TOTP credential type: its store and its operations (see totp-credentials.ts).
export { TotpCredentialStore, type CredentialStatus, type SecretHome, type StoredTotpCredential } from './credential-store.ts';
export { TotpSecretStorage, SECRET_LOCATIONS, type SecretLocation, type SecretStorageView, type StoreSecretPlan } from './secret-storage.ts';
export { UserStoreSecrets } from './store-secrets.ts';
export { TotpCredentials, codeText, type ImportedSecret, type TotpCheck, type TotpSecret, type TotpStatus, type VerifyOptions } from './totp-credentials.ts';
export { TotpManagement, otpauthFor, type TotpManagementDeps, type FactorCheck, type FactorProof, type TotpQr, type TotpRequest } from './totp-management.ts';
export { TotpSettings, TOTP_RESOURCE } from './totp-settings.ts';
