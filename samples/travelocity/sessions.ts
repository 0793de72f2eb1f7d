// The sample's own login sessions: in memory (it is a demo), keyed by a random id in an HttpOnly,
// SameSite=Lax cookie. Lax is enough: the ACS POST that creates a session arrives cross-site from the IdP
// and needs no cookie; the cookie is set on its redirect and sent on the top-level GETs that follow.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SamlSession {
  nameID: string;
  nameIDFormat: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
  issuer: string;
  attributes: [name: string, values: string[]][];
  authnContextClassRef: string;
  authnInstant: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'travelocity_session';
const LIFETIME_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, SamlSession>();

  create(session: Omit<SamlSession, 'expiresAt'>): { id: string; cookie: string } {
    this.prune();
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { ...session, expiresAt: Date.now() + LIFETIME_MS });
    return { id, cookie: `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${LIFETIME_MS / 1000}` };
  }

  get(req: IncomingMessage): { id: string; session: SamlSession } | undefined {
    const id = cookieValue(req, SESSION_COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (!id || !session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return { id, session };
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends the sessions an IdP-initiated LogoutRequest names (its NameID, and SessionIndex when given). */
  deleteMatching(nameID: string, sessionIndex: string | undefined): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (s.nameID === nameID && (!sessionIndex || s.sessionIndex === sessionIndex)) {
        this.sessions.delete(id);
        n++;
      }
    }
    return n;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    // A flood of logins must not grow memory without bound: drop the oldest (Map keeps insertion order).
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
