// A login front for engine tests: starts logins for any application directly through the engine (as the
// SAML and OIDC fronts do from their endpoints) and records what each finished login handed over.
import type { Application } from '../../src/applications/application.ts';
import type { StartLogin } from '../../src/flows/engine.ts';
import type { FrontResponse, LoginFront, LoginResult } from '../../src/flows/fronts.ts';
import { nonceCookie, SSO_COOKIE } from '../../src/http/login-cookies.ts';
import { sequenceOf } from '../../src/applications/application.ts';
import { tenantOf, uniqueSuffix } from './fixtures.ts';
import type { LoginBrowser, Page } from './login-browser.ts';
import type { TestServer } from './server.ts';

export const TEST_PROTOCOL = 'test';

declare module '../../src/flows/fronts.ts' {
  interface ProtocolStates {
    test: Record<string, never>;
  }
}

export class TestFront implements LoginFront<typeof TEST_PROTOCOL> {
  readonly protocol = TEST_PROTOCOL;
  readonly results: LoginResult[] = [];
  readonly failures: string[] = [];

  async complete(result: LoginResult): Promise<{ response: FrontResponse }> {
    this.results.push(result);
    return { response: { kind: 'redirect', location: `/health?completed=${encodeURIComponent(result.application.name)}` } };
  }

  async fail(failure: { reason: string }): Promise<FrontResponse | undefined> {
    this.failures.push(failure.reason);
    return undefined;
  }

  static install(server: TestServer): TestFront {
    const front = new TestFront();
    server.services.fronts.register(front);
    return front;
  }
}

/** Starts a login for `application` in the browser's cookie jar and follows it to the first page. */
export async function startLogin(
  server: TestServer,
  browser: LoginBrowser,
  application: Application,
  options: { tenant?: string } & Pick<StartLogin, 'forceAuthn' | 'passive' | 'maxAge' | 'acrValues' | 'loginHint' | 'prompt'> = {},
): Promise<Page> {
  const { tenant: domain, ...requirements } = options;
  const tenant = await tenantOf(server, domain);
  const jar = browser.client.cookies;
  const result = await server.services.engine.start(
    { tenant, tenantQualified: false, application, protocol: TEST_PROTOCOL, protocolState: {}, ...requirements },
    { nonce: (id) => jar.get(nonceCookie(id)), ssoCookie: jar.get(SSO_COOKIE), remoteAddress: '127.0.0.1', traceId: 'test' },
  );
  if (result.setNonce) jar.set(nonceCookie(result.setNonce.contextId), result.setNonce.value);
  if (result.clearNonce) jar.delete(nonceCookie(result.clearNonce));
  if (result.setSso) jar.set(SSO_COOKIE, result.setSso);
  if (result.response.kind !== 'redirect') throw new Error('expected a redirect');
  return browser.follow({ status: 303, headers: {}, text: '', json: () => ({}) as never, location: result.response.location }, '/');
}

export function completedApp(page: Page): string | undefined {
  if (page.name !== 'health') return undefined;
  return decodeURIComponent(/completed=([^&]+)/.exec(page.url)?.[1] ?? '');
}

/** A new application of the super tenant with these steps (authenticator names per step), for engine tests. */
export async function appWithSteps(server: TestServer, steps: string[][]): Promise<Application> {
  return server.services.applicationService.create(await tenantOf(server), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf(steps) });
}
