// The protocol-neutral login engine. A front starts a login; each POST to /commonauth (and each page view)
// loads the context by sessionDataKey, asks the current step's authenticator what to do, saves the context
// (compare-and-set) and either shows a page, moves to the next step, or finishes and hands the result to the
// front. Steps an SSO session already passed are skipped; a TOTP step only if TOTP was passed. A session is
// reused only while its account may still be used (sso-reuse.ts), checked on every request of the login.
import type { Authenticator, Failure, FormFields, PageModel, StepContext, StepOutcome } from '../authenticators/authenticator.ts';
import { optionName, optionOf } from '../authenticators/registry.ts';
import { AppError } from '../errors/app-error.ts';
import { newContextId } from './context-store.ts';
import type { FlowState } from './flow-state.ts';
import { asksForMultiFactor } from './acr.ts';
import type { Protocol } from './fronts.ts';
import { finishLogin } from './finish.ts';
import { finishLink, linkSteps } from './link.ts';
import { acceptedMultiOptionUri, chooserPage, errorPage, isExternalPage, pageUrl } from './pages.ts';
import { forgetEndedSso } from './sso-reuse.ts';
import { randomBytes } from 'node:crypto';

import type { Browser, EngineDeps, EngineResponse, Loaded, StartLogin } from './engine-types.ts';

export type { Browser, EngineDeps, EngineResponse, FederationFinish, Loaded, Prompt, StartLogin } from './engine-types.ts';

export class LoginEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** Starts a login for an application; shows the first page or finishes at once from an SSO session. */
  async start<P extends Protocol>(input: StartLogin<P>, browser: Browser): Promise<EngineResponse> {
    const now = this.deps.now();
    const forceAuthn = (input.forceAuthn ?? false) || (input.prompt?.has('login') ?? false) || input.link !== undefined;
    const passive = (input.passive ?? false) || (input.prompt?.has('none') ?? false);
    const sso = forceAuthn ? undefined : (await this.deps.ssoReuse.byCookie(browser.ssoCookie, input.tenant))?.session;
    const steps = input.link === undefined ? this.stepsFor(input) : linkSteps(this.deps.authenticators, input.link);
    const state: FlowState = {
      tenantId: input.tenant.id,
      tenantDomain: input.tenant.domain,
      tenantQualified: input.tenantQualified,
      application: { id: input.application.id, name: input.application.name },
      protocol: input.protocol,
      protocolState: input.protocolState,
      steps,
      subjectStep: Math.min(input.application.authenticationSequence.subjectStepId, steps.length) - 1,
      stepIndex: 0,
      completed: [],
      authState: {},
      forceAuthn,
      passive,
      ...(input.maxAge === undefined ? {} : { maxAgeMs: Math.max(0, input.maxAge) * 1000 }),
      ...(input.loginHint ? { loginHint: input.loginHint } : {}),
      ...(sso ? { ssoSessionId: sso.id } : {}),
      ...(input.link === undefined ? {} : { link: true }),
    };
    const id = newContextId();
    const nonce = randomBytes(16).toString('base64url');
    const stored = this.deps.contexts.create(id, nonce, state, now);
    // Counted, not stored (audit-log.ts NOTICE_EVENTS): by application and the first step's authenticator.
    await this.deps.audit.notify({
      tenantId: input.tenant.id,
      event: 'login.started',
      outcome: 'success',
      application: input.application.name,
      authenticator: steps[0]?.options.join('|'),
      traceId: browser.traceId,
      remoteAddress: browser.remoteAddress,
    });
    const loaded: Loaded = { stored, state, tenant: input.tenant, application: input.application, user: undefined, sso };
    const result = await this.advance(loaded, browser);
    return result.clearNonce === id ? result : { ...result, setNonce: { contextId: id, value: nonce } };
  }

  /**
   * The application's steps with enabled authenticators. When the request asks for multiple factors and no
   * step proves a one-time code, a step with the first enabled authenticator that does is added at the end.
   */
  private stepsFor(input: StartLogin<Protocol>): FlowState['steps'] {
    const steps = input.application.authenticationSequence.steps
      .map((s) => ({ options: s.options.map(optionName).filter((name) => this.deps.authenticators.find(name)?.enabled()) }))
      // A step whose only authenticator is disabled ([authentication.authenticator.totp] enable = false) is dropped.
      .filter((s) => s.options.length > 0);
    if (!asksForMultiFactor(input.acrValues)) return steps;
    const provesCode = (name: string) => this.deps.authenticators.find(name)?.amr.includes('otp') ?? false;
    if (steps.some((s) => s.options.some(provesCode))) return steps;
    const otp = this.deps.authenticators.all.find((a) => a.enabled() && a.amr.includes('otp'));
    return otp ? [...steps, { options: [otp.name] }] : steps;
  }

  /** A POST (or WSO2's GET sendToken) to /commonauth. */
  async submit(contextId: string, form: FormFields, browser: Browser): Promise<EngineResponse> {
    const loaded = await this.load(contextId, browser);
    const { state } = loaded;
    if (form.abort === 'true') return this.abandon(loaded, state.failure ?? { reason: 'login.cancelled' }, true);
    if (state.failed) return this.saveAndShow(loaded);
    const step = state.steps[state.stepIndex];
    if (!step) throw new AppError('FLW-40001');
    const multiOptionURI = acceptedMultiOptionUri(form.multiOptionURI);
    if (multiOptionURI) state.multiOptionURI = multiOptionURI;
    if (form.chooseAnother === 'true' && step.options.length > 1) {
      delete state.chosen;
      state.view = 'choose';
      delete state.failure;
      return this.saveAndShow(loaded);
    }
    if (!state.chosen) {
      const picked = step.options.length === 1 ? step.options[0] : step.options.find((o) => o === form.authenticator);
      if (!picked) {
        state.view = 'choose';
        return this.saveAndShow(loaded);
      }
      state.chosen = picked;
      if (step.options.length > 1) return this.runOutcome(loaded, browser, await this.authenticator(state).begin(this.stepContext(loaded, browser)));
    }
    const auth = this.authenticator(state);
    const ctx = this.stepContext(loaded, browser);
    if (!auth.canHandle(form)) return this.runOutcome(loaded, browser, await auth.begin(ctx));
    const outcome = await auth.submit(ctx, form);
    return { ...(await this.runOutcome(loaded, browser, outcome)), submitted: outcome.kind };
  }

  /** What the current page shows (GET of login.do, totp.do, ...). */
  async describe(contextId: string, browser: Browser): Promise<{ page: PageModel; url: string; applicationName: string }> {
    const loaded = await this.load(contextId, browser);
    const { state } = loaded;
    const applicationName = loaded.application.name;
    if (state.failed && !(state.chosen && state.view)) return { page: errorPage(state, loaded.application), url: 'authenticationendpoint/error.do', applicationName };
    if (state.view === 'choose' || !state.chosen) {
      return { page: chooserPage(state, (n) => this.deps.authenticators.label(n)), url: 'authenticationendpoint/login.do', applicationName };
    }
    const auth = this.authenticator(state);
    const ctx = this.stepContext(loaded, browser);
    const page = await auth.describe(ctx, state.view ?? 'default', state.failure);
    // login_hint fills an empty user name on the identifying page; the user may still change it.
    const hint = auth.identifiesUser && state.loginHint && !page.data.username ? { username: state.loginHint } : {};
    return { page: { ...page, data: { ...page.data, ...hint, notice: state.notice } }, url: await auth.pageUrl(ctx, state.view ?? 'default'), applicationName };
  }

  private async load(contextId: string, browser: Browser): Promise<Loaded> {
    const now = this.deps.now();
    const stored = await this.deps.contexts.load(contextId, browser.nonce(contextId), now);
    // A state of its own: load parses it from the row on every call, so nothing else holds this object.
    const { state } = stored;
    const tenant = await this.deps.tenants.findById(state.tenantId);
    const application = tenant && (await this.deps.applications.get(tenant.id, state.application.id));
    if (!tenant || !tenant.active || !application) throw new AppError('FLW-40401');
    const live = state.ssoSessionId ? await this.deps.ssoReuse.byId(state.ssoSessionId, tenant) : undefined;
    if (state.ssoSessionId && !live) forgetEndedSso(state);
    // The SSO check has just read its user; when that is the login's user, it is not read again.
    const user = !state.user ? undefined : live?.user.id === state.user.id ? live.user : await this.deps.users.findById(tenant, state.user.id);
    const sso = live?.session;
    if (state.user && !user && !state.failed) throw new AppError('FLW-40401');
    return { stored, state, tenant, application, user, sso };
  }

  private authenticator(state: FlowState): Authenticator {
    return this.deps.authenticators.require(state.chosen!);
  }

  private stepContext(loaded: Loaded, browser: Browser): StepContext {
    const { state } = loaded;
    const name = state.chosen!;
    state.authState[name] ??= {};
    return {
      tenant: loaded.tenant,
      application: state.application,
      user: loaded.user,
      state: state.authState[name],
      contextId: loaded.stored.id,
      now: this.deps.now(),
      remoteAddress: browser.remoteAddress,
      traceId: browser.traceId,
      hasAlternatives: (state.steps[state.stepIndex]?.options.length ?? 1) > 1,
      idp: optionOf(name).idp,
      federated: loaded.user ? undefined : state.federated,
      ...(state.link ? { linking: true } : {}),
      account: loaded.user && loaded.account?.userId === loaded.user.id ? loaded.account.state : undefined,
    };
  }

  /** Runs steps until one needs the user, or the login is done. */
  private async advance(loaded: Loaded, browser: Browser): Promise<EngineResponse> {
    const { state } = loaded;
    for (;;) {
      const step = state.steps[state.stepIndex];
      if (!step) return this.finish(loaded, browser);
      const fromSso = this.ssoSatisfies(loaded, step.options);
      if (fromSso) {
        state.completed.push({ step: state.stepIndex + 1, authenticator: fromSso, amr: loaded.sso!.state.passed[fromSso]!.amr, at: loaded.sso!.state.passed[fromSso]!.at, fromSso: true });
        if (!loaded.user) {
          loaded.user = await this.deps.users.findById(loaded.tenant, loaded.sso!.state.user.id);
          if (!loaded.user) throw new AppError('FLW-40401');
          state.user = { id: loaded.user.id, storeDomain: loaded.user.storeDomain, username: loaded.user.username };
        }
        this.nextStep(state);
        continue;
      }
      // Passive: a session that named the user but lacks this step needs the user's interaction (OIDC
      // interaction_required); without one, the user must log in (login_required).
      if (state.passive) return this.abandon(loaded, { reason: state.user ? 'login.passive_step' : 'login.passive' });
      if (step.options.length > 1 && !state.chosen) {
        state.view = 'choose';
        return this.saveAndShow(loaded);
      }
      state.chosen ??= step.options[0];
      return this.runOutcome(loaded, browser, await this.authenticator(state).begin(this.stepContext(loaded, browser)), true);
    }
  }

  /**
   * The authenticator in `options` the SSO session already passed, if the session may be used here: not with
   * forceAuthn, not for another user, and (with max_age) only if it was passed recently enough.
   */
  private ssoSatisfies(loaded: Loaded, options: string[]): string | undefined {
    const { sso, state } = loaded;
    if (!sso || state.forceAuthn) return undefined;
    if (state.user && state.user.id !== sso.state.user.id) return undefined;
    const now = this.deps.now();
    const recent = (at: number) => state.maxAgeMs === undefined || now - at < state.maxAgeMs;
    return options.find((o) => {
      const passed = sso.state.passed[o];
      return passed !== undefined && recent(passed.at);
    });
  }

  private nextStep(state: FlowState): void {
    state.stepIndex += 1;
    delete state.chosen;
    delete state.view;
    delete state.failure;
    delete state.notice;
    delete state.multiOptionURI;
  }

  private async runOutcome(loaded: Loaded, browser: Browser, outcome: StepOutcome, fromAdvance = false): Promise<EngineResponse> {
    const { state } = loaded;
    const authName = state.chosen!;
    const audit = (outcome: 'success' | 'failure', reason?: string, user = loaded.user) =>
      this.deps.audit.record({
        tenantId: loaded.tenant.id,
        event: 'login.step',
        outcome,
        user,
        application: state.application.name,
        authenticator: authName,
        reason,
        traceId: browser.traceId,
        remoteAddress: browser.remoteAddress,
      });
    switch (outcome.kind) {
      case 'show':
        state.view = outcome.view;
        if (outcome.notice) state.notice = outcome.notice;
        else delete state.notice;
        if (!fromAdvance) delete state.failure;
        return this.saveAndShow(loaded);
      case 'retry':
        state.view = outcome.view;
        state.failure = outcome.failure;
        delete state.notice;
        await audit('failure', outcome.failure.reason);
        return this.saveAndShow(loaded);
      case 'fail':
        state.failed = true;
        state.failure = outcome.failure;
        // With a view, the authenticator's own error page (totp_error.do); without, the generic one.
        if (outcome.view) state.view = outcome.view;
        else delete state.view;
        await audit('failure', outcome.failure.reason);
        return this.saveAndShow(loaded);
      case 'redirect':
        delete state.view;
        loaded.stored = await this.deps.contexts.save(loaded.stored, state);
        return { response: { kind: 'redirect', location: outcome.location } };
      case 'federated':
        state.federated = outcome.identity;
        state.completed.push({ step: state.stepIndex + 1, authenticator: authName, amr: [...outcome.amr], at: this.deps.now() });
        await audit('success', `federated:${outcome.identity.idpName}`);
        this.nextStep(state);
        return this.advance(loaded, browser);
      case 'skip':
        if (outcome.user && !loaded.user) {
          loaded.user = outcome.user;
          state.user = { id: outcome.user.id, storeDomain: outcome.user.storeDomain, username: outcome.user.username };
        }
        await audit('success', 'skipped');
        this.nextStep(state);
        return this.advance(loaded, browser);
      case 'success': {
        if (loaded.user && loaded.user.id !== outcome.user.id) throw new AppError('FLW-40001');
        loaded.user = outcome.user;
        state.user = { id: outcome.user.id, storeDomain: outcome.user.storeDomain, username: outcome.user.username };
        loaded.account = outcome.account && { userId: outcome.user.id, state: outcome.account };
        state.completed.push({ step: state.stepIndex + 1, authenticator: authName, amr: [...outcome.amr], at: this.deps.now() });
        await audit('success');
        // A different user than the SSO session's logged in: that session must not be reused or extended.
        if (loaded.sso && loaded.sso.state.user.id !== outcome.user.id) {
          loaded.sso = undefined;
          delete state.ssoSessionId;
        }
        this.nextStep(state);
        return this.advance(loaded, browser);
      }
    }
  }

  private async saveAndShow(loaded: Loaded): Promise<EngineResponse> {
    loaded.stored = await this.deps.contexts.save(loaded.stored, loaded.state);
    const { state } = loaded;
    const id = loaded.stored.id;
    let location: string;
    if (state.failed && !(state.chosen && state.view)) {
      location = pageUrl(state, 'authenticationendpoint/error.do', {}, id);
    } else if (state.view === 'choose' || !state.chosen) {
      location = pageUrl(state, 'authenticationendpoint/login.do', { type: 'multi' }, id);
    } else {
      const auth = this.authenticator(state);
      const ctx = this.stepContext(loaded, { nonce: () => undefined, ssoCookie: undefined, remoteAddress: '', traceId: '' });
      const params: Record<string, string> = { authenticators: auth.pageType, type: auth.pageType };
      // WSO2's retry parameters, for external login pages that read them; our pages read the context.
      if (state.failure) Object.assign(params, { authFailure: 'true', authFailureMsg: 'login.fail.message' }, state.failure.params);
      const view = state.view ?? 'default';
      const configured = await auth.pageUrl(ctx, view);
      const extra = isExternalPage(configured) && auth.externalPageParams ? await auth.externalPageParams(ctx, view) : {};
      location = pageUrl(state, configured, params, id, extra);
    }
    return { response: { kind: 'redirect', location } };
  }

  /**
   * Ends a login without success. The front answers the application if its protocol can (SAML status
   * codes); otherwise the user is sent back to the application's access URL when they asked to leave, or
   * shown the error page.
   */
  private async abandon(loaded: Loaded, failure: Failure, userAsked = false): Promise<EngineResponse> {
    const front = this.deps.fronts.get(loaded.state.protocol);
    let response = await front.fail(failure, loaded.state.protocolState, loaded.application);
    if (!response && userAsked && loaded.application.accessUrl) response = { kind: 'redirect', location: loaded.application.accessUrl };
    if (!response) {
      loaded.state.failed = true;
      loaded.state.failure = failure;
      delete loaded.state.view;
      return this.saveAndShow(loaded);
    }
    await this.deps.contexts.remove(loaded.stored);
    return { response, clearNonce: loaded.stored.id };
  }

  private async finish(loaded: Loaded, browser: Browser): Promise<EngineResponse> {
    const { state } = loaded;
    if (state.link) return finishLink(this.deps, loaded, browser);
    if (!loaded.user && state.federated && this.deps.federation) {
      // No later step named the local user of the upstream account: the provider's link or JIT provisioning does.
      const found = await this.deps.federation.userAtFinish(loaded.tenant, state.federated, { traceId: browser.traceId, remoteAddress: browser.remoteAddress, application: state.application.name });
      if ('failure' in found) {
        state.failed = true;
        state.failure = found.failure;
        delete state.view;
        await this.deps.audit.record({ tenantId: loaded.tenant.id, event: 'login.failed', outcome: 'failure', application: state.application.name, reason: found.failure.reason, traceId: browser.traceId, remoteAddress: browser.remoteAddress });
        return this.saveAndShow(loaded);
      }
      loaded.user = found.user;
      state.user = { id: found.user.id, storeDomain: found.user.storeDomain, username: found.user.username };
    }
    return finishLogin(this.deps, loaded, browser);
  }
}
