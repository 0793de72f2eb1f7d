// The floor of bench/startup.bench.ts: Node, Fastify, TLS and better-sqlite3 with nothing of ours. It reads the
// same deployment.toml as the server (its port and data directory), serves /health/ready (and /health) over HTTPS with the
// server's TLS pair and opens the server's SQLite file in WAL mode with one query, so the difference between
// this row and `npm start` is what Portcullis itself costs at idle. Plain JavaScript: it runs with the same
// node flags as `npm start`, without a TypeScript loader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const toml = readFileSync(process.env.PORTCULLIS_CONFIG, 'utf8');
const port = Number(/^port = (\d+)$/m.exec(toml)[1]);
const dataDir = /^data_dir = "([^"]+)"$/m.exec(toml)[1];

const db = new Database(join(dataDir, 'portcullis.db'));
db.pragma('journal_mode = WAL');
db.prepare('SELECT count(*) AS n FROM sqlite_master').get();

const app = Fastify({ https: { key: readFileSync(join(dataDir, 'tls/server.key')), cert: readFileSync(join(dataDir, 'tls/server.crt')) } });
app.get('/health/ready', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'UP' }));
// As the server's /health answers (bench/request-overhead.bench.ts compares the two).
app.get('/health', async () => ({ status: 'UP' }));
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => {
  void app.close().then(() => db.close());
});
