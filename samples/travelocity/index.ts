// The travelocity.com sample: a small SAML 2.0 service provider web app, like the one WSO2 ships to try
// its TOTP authenticator with. It knows nothing of Portcullis except the IdP metadata URL (and the CA that
// signs the IdP's HTTPS certificate); everything else comes from the metadata.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorPage, homePage, layout, loggedInPage, postBindingPage, type Html } from './pages.ts';
import { SamlFailure, ServiceProvider } from './service-provider.ts';
import { CLEAR_SESSION_COOKIE, SessionStore } from './sessions.ts';

export interface TravelocityOptions {
  port: number;
  /** Host name in the sample's own URLs (ACS, logout); it listens there unless bindAddress says otherwise. */
  hostname: string;
  idpMetadataUrl: string;
  /** PEM of the CA (or the self-signed certificate) to trust for the IdP's HTTPS. */
  idpTlsCa?: string;
  /** The SAML issuer (entity id) of the sample; WSO2's sample uses travelocity.com. */
  issuer?: string;
  bindAddress?: string;
  /** Where to report problems that do not stop the sample (the metadata is unreachable at start). */
  warn?: (message: string) => void;
  /**
   * Read the IdP metadata at start, so that a wrong URL or CA shows at once (the default). Off, the first login
   * reads it: for a sample started inside the IdP's own process, where the check proves only that the IdP serves
   * its metadata and would load both sides' XML libraries at start.
   */
  readMetadataAtStart?: boolean;
}

export interface RunningTravelocity {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const ACS_PATH = '/travelocity.com/home.jsp';
const LOGOUT_PATH = '/travelocity.com/logout';
const PAGES = new Set(['/', '/travelocity.com/samlsso', ACS_PATH, LOGOUT_PATH]);

export async function startTravelocity(options: TravelocityOptions): Promise<RunningTravelocity> {
  const sessions = new SessionStore();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindAddress ?? options.hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.hostname}:${port}`;
  const sp = new ServiceProvider({ issuer: options.issuer ?? 'travelocity.com', acsUrl: `${url}${ACS_PATH}`, metadataUrl: options.idpMetadataUrl, ca: options.idpTlsCa });
  // Read the metadata now so a misconfiguration shows at start; a login retries if the IdP was not up yet.
  if (options.readMetadataAtStart !== false) await sp.load().catch((err: Error) => (options.warn ?? console.warn)(`travelocity: cannot read the IdP metadata yet (${err.message}); will retry on the first login`));
  const routes = new Routes(sp, sessions);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    routes.handle(req, res).catch((err: unknown) => {
      (options.warn ?? console.warn)(`travelocity: ${(err as Error).message}`);
      if (!res.headersSent) send(res, errorPage('Something went wrong', 'The sample application could not handle this request.', undefined, 500));
      else res.destroy();
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

class Routes {
  constructor(
    private readonly sp: ServiceProvider,
    private readonly sessions: SessionStore,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://sample.invalid');
    const key = `${req.method} ${target.pathname}`;
    try {
      switch (key) {
        case 'GET /': {
          if (this.sessions.get(req)) return redirect(res, ACS_PATH);
          return send(res, homePage({ loggedOut: target.searchParams.has('logged_out') }));
        }
        case 'GET /travelocity.com/samlsso': {
          if (target.searchParams.get('SAML2.HTTPBinding') === 'HTTP-POST') {
            const form = await this.sp.loginPostForm();
            return send(res, postBindingPage(form.action, form.fields));
          }
          return redirect(res, await this.sp.loginRedirectUrl());
        }
        case `POST ${ACS_PATH}`: {
          const form = await readForm(req);
          if (!form.SAMLResponse) return send(res, errorPage('Login failed', 'The request carried no SAMLResponse.'));
          const { cookie } = this.sessions.create(await this.sp.acceptLogin(form.SAMLResponse));
          res.setHeader('set-cookie', cookie);
          return redirect(res, ACS_PATH, 303);
        }
        case `GET ${ACS_PATH}`: {
          const current = this.sessions.get(req);
          return current ? send(res, loggedInPage(current.session)) : redirect(res, '/');
        }
        case `GET ${LOGOUT_PATH}`:
        case `POST ${LOGOUT_PATH}`:
          return await this.logout(req, res, target);
        default:
          if (PAGES.has(target.pathname)) return send(res, errorPage('Method not allowed', `This page does not answer ${req.method ?? ''} requests.`, undefined, 405));
          return send(res, errorPage('Not found', 'There is no page at this address.', undefined, 404));
      }
    } catch (err) {
      if (!(err instanceof SamlFailure)) throw err;
      const title = key.includes('logout') ? 'Logout failed' : 'Login failed';
      return send(res, errorPage(title, err.message, err.status));
    }
  }

  /** Starts SP-initiated SLO, or handles what the IdP sends to the logout URL (its LogoutResponse or LogoutRequest). */
  private async logout(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
    const post = req.method === 'POST';
    const fields = post ? await readForm(req) : Object.fromEntries(target.searchParams);
    if (fields.SAMLResponse !== undefined || fields.SAMLRequest !== undefined) {
      const message = await this.sp.acceptLogout(fields, post ? undefined : target.search.slice(1));
      if (message.kind === 'response') return redirect(res, '/?logged_out', 303);
      this.sessions.deleteMatching(message.nameID, message.sessionIndex);
      res.setHeader('set-cookie', CLEAR_SESSION_COOKIE);
      return redirect(res, message.responseUrl);
    }
    const current = this.sessions.get(req);
    if (!current) return redirect(res, '/');
    // Logged out here at once, even if the IdP never answers; the IdP then ends its session and the others.
    this.sessions.delete(current.id);
    res.setHeader('set-cookie', CLEAR_SESSION_COOKIE);
    return redirect(res, await this.sp.logoutUrl(current.session));
  }
}

function send(res: ServerResponse, page: Html): void {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", ...(page.formTargets ?? [])].join(' ');
  res.writeHead(page.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(layout(page, nonce));
}

function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end();
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SamlFailure('The request body is too large.');
    chunks.push(chunk);
  }
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) throw new SamlFailure('Expected a form post (application/x-www-form-urlencoded).');
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
