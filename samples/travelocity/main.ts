// Runs the travelocity sample on its own, against any SAML IdP that publishes metadata:
//   TRAVELOCITY_IDP_METADATA=https://localhost:9443/identity/metadata/saml2 \
//   TRAVELOCITY_IDP_CA=data/tls/server.crt PORT=8080 node --import tsx samples/travelocity/main.ts
// (`npm start` already runs it beside Portcullis when [sample_app] enabled = true.)
import { readFileSync } from 'node:fs';
import { startTravelocity } from './index.ts';

const metadata = process.env.TRAVELOCITY_IDP_METADATA ?? 'https://localhost:9443/identity/metadata/saml2';
const caFile = process.env.TRAVELOCITY_IDP_CA;
const port = Number(process.env.PORT ?? 8080);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}

const sample = await startTravelocity({
  port,
  hostname: process.env.TRAVELOCITY_HOSTNAME ?? 'localhost',
  idpMetadataUrl: metadata,
  ...(caFile ? { idpTlsCa: readFileSync(caFile, 'utf8') } : {}),
});
console.log(`travelocity sample: ${sample.url}/ (IdP metadata: ${metadata})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    sample.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
