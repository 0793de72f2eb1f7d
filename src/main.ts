// `npm start`: load config/deployment.toml, start the server, stop cleanly on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { isConfigError, readConfig } from './config/index.ts';
import { installProcessGuards } from './http/process-guard.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  // --strict refuses WSO2 settings that have no effect here, instead of a warning for each. An argument not
  // known here stops the start: a mistyped option must not leave the server running on another config.
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string', short: 'c' }, strict: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    console.error(`Portcullis cannot start: ${err instanceof Error ? err.message : String(err)}\nUsage: npm start -- [--config <deployment.toml>] [--strict]   (or PORTCULLIS_CONFIG=<file>)`);
    process.exit(2);
  }
  let loaded;
  try {
    loaded = readConfig({ ...(args.strict ? { strict: true } : {}), ...(args.config === undefined ? {} : { path: args.config }) });
  } catch (err) {
    if (isConfigError(err)) {
      console.error(`Portcullis cannot start: the configuration has problems:\n${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(loaded.config, { configWarnings: loaded.warnings });
  server.app.log.info(`Portcullis is serving ${server.url} (console: ${server.url}/console)`);
  let stopping = false;
  const stop = (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info(`${signal}: shutting down`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    server.close().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        server.app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  // An error that escapes every handler: see process-guard.ts for what keeps running and why.
  installProcessGuards(server.app.log, (reason) => stop(reason, 1));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Portcullis failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
