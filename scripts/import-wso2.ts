// `npm run import:wso2 -- ...`: see src/import/wso2/cli.ts and docs/wso2-import.md.
import { runCli } from '../src/import/wso2/cli.ts';

runCli(process.argv.slice(2), { out: (text) => process.stdout.write(text), env: process.env }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // The message only: a stack or a driver's error object may carry a connection string.
    console.error(`import:wso2 failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
