// The login pages this server serves, by path relative to its base URL, and the older WSO2 paths served as
// aliases of them: IS 5.x's `totpauthenticationendpoint/*.jsp` (the TOTP authenticator's 2.x defaults, which
// WSO2's 6.0 migration notes tell customised deployments to keep) and the `authenticationendpoint/*.jsp` files
// behind IS 6/7's `.do` URLs. Config validation uses it to refuse a page URL nobody would answer; the UI
// registers a route for each path. Both read this one list, so they cannot disagree.

/** Today's pages, under /authenticationendpoint/. */
export const LOGIN_PAGES = ['login.do', 'totp.do', 'totp_enroll.do', 'totp_error.do', 'error.do'] as const;
export type LoginPage = (typeof LOGIN_PAGES)[number];

/** Old path -> today's page it shows. */
export const LOGIN_PAGE_ALIASES: Readonly<Record<string, LoginPage>> = Object.freeze({
  'totpauthenticationendpoint/totp.jsp': 'totp.do',
  'totpauthenticationendpoint/totpError.jsp': 'totp_error.do',
  'totpauthenticationendpoint/enableTOTP.jsp': 'totp_enroll.do',
  'authenticationendpoint/login.jsp': 'login.do',
  'authenticationendpoint/totp.jsp': 'totp.do',
  'authenticationendpoint/totpError.jsp': 'totp_error.do',
  'authenticationendpoint/enableTOTP.jsp': 'totp_enroll.do',
});

/** Every served path (no leading slash) with the page it shows. */
export function servedLoginPages(): readonly { path: string; page: LoginPage }[] {
  return [
    ...LOGIN_PAGES.map((page) => ({ path: `authenticationendpoint/${page}`, page })),
    ...Object.entries(LOGIN_PAGE_ALIASES).map(([path, page]) => ({ path, page })),
  ];
}

/** The page a relative page URL shows here, or undefined when this server serves nothing at that path. */
export function loginPageAt(relative: string): LoginPage | undefined {
  const path = relative.replace(/^\/+/, '').split(/[?#]/)[0] ?? '';
  return servedLoginPages().find((p) => p.path === path)?.page;
}

/**
 * For the `check` of a page URL key: an absolute http(s) URL is someone else's page and is taken as is; a
 * relative one must be a path where this server shows `page`, or the login would end on a 404.
 */
export function checkLocalPage(page: LoginPage): (value: string) => string | undefined {
  return (value) => {
    if (/^https?:\/\//i.test(value)) return undefined;
    if (loginPageAt(value) === page) return undefined;
    const paths = servedLoginPages().filter((p) => p.page === page).map((p) => JSON.stringify(p.path));
    return `a page this server serves (${paths.join(' or ')}) or an absolute http(s) URL of your own login pages`;
  };
}
