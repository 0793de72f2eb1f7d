// The HTTPS key pair: the configured PEM files, or a self-signed pair made under {data_dir}/tls/ on first
// start (for localhost and 127.0.0.1) and reused afterwards.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSelfSigned } from '../crypto/certificates.ts';

export interface TlsPair {
  key: string;
  cert: string;
  generated: boolean;
}

export async function loadTlsPair(options: { certificate: string; privateKey: string; dataDir: string; hostname: string }): Promise<TlsPair> {
  if (options.certificate && options.privateKey) {
    return { cert: readFileSync(options.certificate, 'utf8'), key: readFileSync(options.privateKey, 'utf8'), generated: false };
  }
  const dir = join(options.dataDir, 'tls');
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), generated: false };
  }
  const hostIsIp = isIP(options.hostname) !== 0;
  const dnsNames = [...new Set(['localhost', ...(hostIsIp ? [] : [options.hostname])])];
  const ipAddresses = [...new Set(['127.0.0.1', '::1', ...(hostIsIp ? [options.hostname] : [])])];
  const pair = await createSelfSigned({ commonName: options.hostname, dnsNames, ipAddresses });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(certPath, pair.certificatePem);
  return { cert: pair.certificatePem, key: pair.privateKeyPem, generated: true };
}
