// A small load balancer for tests: terminates HTTPS on loopback with the nodes' certificate name (localhost)
// and sends each request to the next node in turn (round robin per request, not per connection), over HTTPS
// with the node's own certificate trusted. It records which node served each request.
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Backend {
  url: string;
  certificate: string;
}

export interface RoundRobinProxy {
  url: string;
  /** The index of the node that served each request, in order. */
  served: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: Backend[], tls: { key: string; cert: string }): Promise<RoundRobinProxy> {
  const served: number[] = [];
  let next = 0;
  const server: Server = createServer(tls, (incoming, outgoing) => {
    const index = next++ % backends.length;
    served.push(index);
    const target = new URL(backends[index]!.url);
    const forwarded = request(
      { host: '127.0.0.1', servername: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, ca: backends[index]!.certificate },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      outgoing.statusCode = 502;
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
