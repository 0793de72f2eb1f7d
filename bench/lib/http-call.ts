// One browser-like HTTPS request for the login benchmarks: sends the cookies it has, keeps the ones it gets,
// posts a form when given one, and reads the status and Location without following redirects.
import { request, type Agent } from 'node:https';

export interface CallResult {
  status: number;
  location?: string;
  /** The response body, when the caller was made with `readBody`. */
  body?: string;
}

export type Call = (path: string, cookies: Map<string, string>, form?: Record<string, string>) => Promise<CallResult>;

export function httpsCaller(base: URL, agent: Agent, options: { readBody?: boolean } = {}): Call {
  return (path, cookies, form) =>
    new Promise((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const headers: Record<string, string> = { accept: 'text/html', cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const req = request(new URL(path, base), { method: body ? 'POST' : 'GET', agent, headers }, (res) => {
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair] = c.split(';');
          const eq = pair!.indexOf('=');
          cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
        const chunks: Buffer[] = [];
        if (options.readBody) res.on('data', (d: Buffer) => chunks.push(d));
        else res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.location ? { location: res.headers.location } : {}),
            ...(options.readBody ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
          }),
        );
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
}
