/**
 * Who is calling: an API key (Bearer, or Basic with an empty password), Basic user:password,
 * or a session made by /auth/credentials (X-ss-id header or ss-id/ss-pid cookies). Failed
 * password checks are counted per user name and per client address, and refused with 429
 * once they come too fast.
 */
import type { AuthUser, Store } from '../../store/store.ts';
import { Errors } from '../errors.ts';
import { burnPasswordCheck, newSessionId, tokenHash, verifyPassword } from './secrets.ts';
import { parseCookies } from './cookies.ts';

export interface AuthPolicy {
  sessionTtlMs: number;
  rememberMeTtlMs: number;
  /** failed sign-ins per user name before it is slowed down */
  userThreshold: number;
  /** failed sign-ins per client address before it is slowed down */
  addressThreshold: number;
  failureWindowMs: number;
  maxBlockMs: number;
  /** how long a verified user:password pair is trusted without re-hashing */
  basicCacheMs: number;
}

export const defaultAuthPolicy: AuthPolicy = {
  sessionTtlMs: 14 * 24 * 3600_000,
  rememberMeTtlMs: 30 * 24 * 3600_000,
  userThreshold: 5,
  addressThreshold: 20,
  failureWindowMs: 15 * 60_000,
  maxBlockMs: 15 * 60_000,
  basicCacheMs: 30_000,
};

export interface RequestCredentials {
  authorization: string | undefined;
  cookie: string | undefined;
  sessionHeader: string | undefined;
  address: string;
}

export interface NewSession { sessionId: string; permanent: boolean; ttlMs: number }

export class Authenticator {
  private readonly basicCache = new Map<string, { user: AuthUser; until: number }>();

  constructor(private readonly store: Store, private readonly policy: AuthPolicy = defaultAuthPolicy) {}

  /** The caller, or undefined when the request carries no credentials at all. Bad credentials throw. */
  async identify(c: RequestCredentials): Promise<AuthUser | undefined> {
    if (c.authorization) return this.fromAuthorization(c.authorization, c.address);
    const sessionId = sessionIdOf(c);
    if (sessionId) return this.store.findSession(tokenHash(sessionId), Date.now());
    return undefined;
  }

  private async fromAuthorization(header: string, address: string): Promise<AuthUser> {
    const space = header.indexOf(' ');
    const scheme = (space > 0 ? header.slice(0, space) : header).toLowerCase();
    const value = space > 0 ? header.slice(space + 1).trim() : '';
    if (scheme === 'bearer') {
      if (!value) throw Errors.malformedAuthorization('the Bearer token is empty');
      return this.fromApiKey(value);
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (!value || colon < 0) throw Errors.malformedAuthorization('Basic credentials must be base64 of user:password');
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (password === '') return this.fromApiKey(user);
      return this.fromPassword(user, password, address);
    }
    throw Errors.malformedAuthorization(`the ${scheme} scheme is not supported; use Bearer <api key> or Basic`);
  }

  private async fromApiKey(key: string): Promise<AuthUser> {
    const found = await this.store.findApiKey(tokenHash(key));
    if (!found) throw Errors.invalidApiKey();
    if (found.revoked) throw Errors.apiKeyCancelled();
    return found.user;
  }

  private async fromPassword(userName: string, password: string, address: string): Promise<AuthUser> {
    const cacheKey = tokenHash(`${userName.toLowerCase()}\0${password}`);
    const cached = this.basicCache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.user;
    const user = await this.signIn(userName, password, address);
    if (this.basicCache.size > 10_000) this.basicCache.clear();
    this.basicCache.set(cacheKey, { user, until: Date.now() + this.policy.basicCacheMs });
    return user;
  }

  /** Checks a user name and password, with throttling of repeated failures. */
  async signIn(userName: string, password: string, address: string): Promise<AuthUser> {
    const userKey = `user:${userName.toLowerCase()}`;
    const addressKey = `addr:${address}`;
    const now = Date.now();
    const blocked = Math.max(
      (await this.store.authBlockedUntil(userKey, now)) ?? 0,
      (await this.store.authBlockedUntil(addressKey, now)) ?? 0,
    );
    if (blocked > now) throw Errors.tooManyAttempts(blocked - now);

    const user = await this.store.findUser(userName);
    const valid = user?.passwordHash && !user.disabled
      ? await verifyPassword(user.passwordHash, password)
      : (await burnPasswordCheck(password), false);
    if (!valid || !user) {
      const window = { windowMs: this.policy.failureWindowMs, maxBlockMs: this.policy.maxBlockMs };
      await this.store.recordAuthFailure(userKey, now, { ...window, threshold: this.policy.userThreshold });
      await this.store.recordAuthFailure(addressKey, now, { ...window, threshold: this.policy.addressThreshold });
      throw Errors.invalidCredentials();
    }
    await this.store.clearAuthFailures(userKey);
    const { passwordHash: _h, disabled: _d, ...authUser } = user;
    return authUser;
  }

  async startSession(user: AuthUser, rememberMe: boolean): Promise<NewSession> {
    const sessionId = newSessionId();
    const ttlMs = rememberMe ? this.policy.rememberMeTtlMs : this.policy.sessionTtlMs;
    const now = Date.now();
    await this.store.createSession({ idHash: tokenHash(sessionId), userId: user.userId, expiresAt: now + ttlMs, now });
    return { sessionId, permanent: rememberMe, ttlMs };
  }

  async endSession(c: RequestCredentials): Promise<void> {
    const sessionId = sessionIdOf(c);
    if (sessionId) await this.store.deleteSession(tokenHash(sessionId));
  }
}

function sessionIdOf(c: RequestCredentials): string | undefined {
  if (c.sessionHeader) return c.sessionHeader;
  if (!c.cookie) return undefined;
  const cookies = parseCookies(c.cookie);
  return cookies.get('ss-opt') === 'perm' ? cookies.get('ss-pid') ?? cookies.get('ss-id') : cookies.get('ss-id') ?? cookies.get('ss-pid');
}
