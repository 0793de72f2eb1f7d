// A TCP port on loopback that nothing listens on at the moment of asking, for a process the test or benchmark
// starts and must name a port for before it runs (slapd, a compiled server, a sample). Another process could
// take it in between; on a test machine that is rare enough, and the start then fails loudly.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
