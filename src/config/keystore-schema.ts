// [keystore.primary]: WSO2's primary keystore, here the HTTPS certificate when [transport.https] names no PEM
// files, and (as in WSO2) the SAML signing key of carbon.super. PKCS#12 (WSO2's default from IS 7.1, wso2carbon.p12) is read; JKS (up to 7.0, wso2carbon.jks) is not,
// and the drop-in reader says how to convert it.
import { oneOf, section, str } from './schema-dsl.ts';

export const primaryKeystore = section(
  {
    file_name: str({
      default: '',
      description:
        'PKCS#12 keystore (.p12/.pfx) whose key and certificate serve HTTPS when [transport.https] certificate and private_key are empty, and sign carbon.super\'s SAML responses (it becomes the active SAML key at start; the previous key stays in the metadata for its grace period). Relative to the working directory, else to repository/resources/security/ (where WSO2 keeps it). Empty: not used.',
    }),
    type: oneOf(['PKCS12', 'JKS'], {
      default: 'PKCS12',
      valueAliases: { pkcs12: 'PKCS12', jks: 'JKS' },
      description:
        'Keystore format. Only PKCS12 is read; a JKS keystore is ignored with a warning saying how to convert it: keytool -importkeystore -srckeystore wso2carbon.jks -destkeystore wso2carbon.p12 -deststoretype PKCS12.',
    }),
    password: str({ default: '', secret: true, description: 'Password of the keystore.' }),
    alias: str({ default: '', description: 'Alias of the key entry to use. Empty: the keystore\'s only (or first) key entry.' }),
    key_password: str({ default: '', secret: true, description: 'Password of the key entry when it differs from password.' }),
  },
  { description: 'The primary keystore, as in WSO2 (PKCS#12 only).' },
);
