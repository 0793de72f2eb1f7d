// Authentication context class (OIDC `acr`, and what `acr_values` may ask for). Two levels, named with the
// REFEDS profiles that SAML and OIDC relying parties already know: a single factor (a password), and
// multiple factors (a password and a one-time code). `amr` (RFC 8176) lists the methods; `mfa` is added to it
// when more than one was proven, as the RFC defines.
export const ACR = {
  singleFactor: 'https://refeds.org/profile/sfa',
  multiFactor: 'https://refeds.org/profile/mfa',
} as const;

/** The class a login reached, from the methods it proved (in this login or the SSO session it reused). */
export function acrFor(amr: readonly string[]): string {
  return distinctMethods(amr).length >= 2 ? ACR.multiFactor : ACR.singleFactor;
}

/** RFC 8176 values for a token: the methods, plus `mfa` when more than one was used. */
export function amrClaim(amr: readonly string[]): string[] {
  const methods = distinctMethods(amr);
  return methods.length >= 2 ? [...methods, 'mfa'] : methods;
}

/** Whether a relying party's acr_values ask for more than a password. */
export function asksForMultiFactor(acrValues: readonly string[] | undefined): boolean {
  return acrValues?.includes(ACR.multiFactor) ?? false;
}

function distinctMethods(amr: readonly string[]): string[] {
  return [...new Set(amr.filter((m) => m !== 'mfa'))];
}
