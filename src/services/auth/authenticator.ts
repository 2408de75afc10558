/**
 * Who is calling: an API key (Bearer, or Basic with an empty password), Basic user:password,
 * or a session made by /auth/credentials (X-ss-id header or ss-id/ss-pid cookies). Failed
 * password checks are counted per user name and per client address, and refused with 429
 * once they come too fast.
 */
import type { AuthUser, Store, UserWithSecret } from '../../store/store.ts';
import { Errors } from '../../shared/errors.ts';
import { burnPasswordCheck, newSessionId, tokenHash, verifyPassword } from '../../shared/secrets.ts';
import { parseCookies } from '../../shared/cookies.ts';

export interface AuthPolicy {
  sessionTtlMs: number;
  rememberMeTtlMs: number;
  /** failed sign-ins per (user name, client address) before that pair is refused for a doubling time */
  userThreshold: number;
  /** failed sign-ins per user name, from any address, before each attempt for it waits */
  userSlowdownThreshold: number;
  /** the longest such wait: failures from other addresses only slow the owner, never refuse them */
  userMaxDelayMs: number;
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
  userSlowdownThreshold: 10,
  userMaxDelayMs: 2000,
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
  private readonly basicCache = new Map<string, { passwordHash: string; until: number }>();

  /** told of each refused sign-in, for metrics */
  onRefused: ((outcome: 'failed' | 'blocked') => void) | undefined;

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
      if (decoded.includes('\u0000') || decoded.includes('\ufffd')) throw Errors.malformedAuthorization('the Basic credentials hold a NUL or bytes that are not UTF-8');
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

  /**
   * Basic credentials come with every request; argon2 takes ~15 ms, so a verified pair is trusted for
   * a short while, as long as the user is still enabled and the password hash the same.
   */
  private async fromPassword(userName: string, password: string, address: string): Promise<AuthUser> {
    const cacheKey = tokenHash(`${userName.toLowerCase()}\0${password}`);
    const cached = this.basicCache.get(cacheKey);
    if (cached && cached.until > Date.now()) {
      const user = await this.store.findUser(userName);
      if (user && !user.disabled && user.passwordHash === cached.passwordHash) return withoutSecrets(user);
      this.basicCache.delete(cacheKey);
    }
    const user = await this.signIn(userName, password, address);
    const current = await this.store.findUser(userName);
    if (this.basicCache.size > 10_000) this.basicCache.clear();
    if (current?.passwordHash) this.basicCache.set(cacheKey, { passwordHash: current.passwordHash, until: Date.now() + this.policy.basicCacheMs });
    return user;
  }

  /**
   * Checks a user name and password. Each attempt is counted before the password is checked, so a
   * burst of parallel guesses is throttled like a sequence. Refusals (429) are per (user name,
   * address) pair and per address; failures for a user name from many addresses only delay its
   * attempts by at most userMaxDelayMs, so nobody can lock the owner out (OWASP: throttle, not lock).
   */
  async signIn(userName: string, password: string, address: string): Promise<AuthUser> {
    const name = userName.slice(0, 200).toLowerCase();
    const pairKey = `pair:${address} ${name}`;
    const userKey = `user:${name}`;
    const addressKey = `addr:${address}`;
    const now = Date.now();
    const window = { windowMs: this.policy.failureWindowMs, maxBlockMs: this.policy.maxBlockMs };
    const byPair = await this.store.beginAuthAttempt(pairKey, now, { ...window, threshold: this.policy.userThreshold });
    if (!byPair.allowed) {
      this.onRefused?.('blocked');
      throw Errors.tooManyAttempts(byPair.retryAfterMs);
    }
    const byAddress = await this.store.beginAuthAttempt(addressKey, now, { ...window, threshold: this.policy.addressThreshold });
    if (!byAddress.allowed) {
      await this.store.refundAuthAttempt(pairKey, false, this.policy.userThreshold);
      this.onRefused?.('blocked');
      throw Errors.tooManyAttempts(byAddress.retryAfterMs);
    }
    const byUser = await this.store.beginAuthAttempt(userKey, now, {
      windowMs: this.policy.failureWindowMs, maxBlockMs: this.policy.userMaxDelayMs, threshold: this.policy.userSlowdownThreshold,
    });
    if (!byUser.allowed) await new Promise((r) => setTimeout(r, Math.min(byUser.retryAfterMs, this.policy.userMaxDelayMs)));

    const user = await this.store.findUser(userName);
    const valid = user?.passwordHash && !user.disabled
      ? await verifyPassword(user.passwordHash, password)
      : (await burnPasswordCheck(password), false);
    if (!valid || !user) {
      this.onRefused?.('failed');
      throw Errors.invalidCredentials();
    }
    await this.store.refundAuthAttempt(pairKey, true, this.policy.userThreshold);
    if (byUser.allowed) await this.store.refundAuthAttempt(userKey, false, this.policy.userSlowdownThreshold);
    await this.store.refundAuthAttempt(addressKey, false, this.policy.addressThreshold);
    return withoutSecrets(user);
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

function withoutSecrets(user: UserWithSecret): AuthUser {
  const { passwordHash: _h, disabled: _d, ...authUser } = user;
  return authUser;
}

function sessionIdOf(c: RequestCredentials): string | undefined {
  if (c.sessionHeader) return c.sessionHeader;
  if (!c.cookie) return undefined;
  const cookies = parseCookies(c.cookie);
  return cookies.get('ss-opt') === 'perm' ? cookies.get('ss-pid') ?? cookies.get('ss-id') : cookies.get('ss-id') ?? cookies.get('ss-pid');
}
