/**
 * The organisations, users, credentials, sessions, sign-in throttling and forms of every store,
 * written once over the driver. Each dialect's store extends it.
 */
import { randomUUID } from 'node:crypto';
import { all, get, run, type SqlDriver, type Work } from './driver/driver.ts';
import { accountStatements } from './sql/accounts.ts';
import { blockUntil } from './auth-attempts.ts';
import type { ApiKeyLookup, ApiKeyRow, AuthAttemptPolicy, AuthUser, FormRow, Organisation, UserWithSecret } from './store.ts';

type Attempt = { allowed: true } | { allowed: false; retryAfterMs: number };

export abstract class AccountStore {
  private readonly a: ReturnType<typeof accountStatements>;

  constructor(protected readonly driver: SqlDriver) {
    this.a = accountStatements(driver.sql);
  }

  async createOrganisation(name: string, now: number): Promise<Organisation> {
    return (await this.driver.perform(() => get<Organisation>(this.a.insertOrg, name, now)))!;
  }
  async findOrganisation(name: string): Promise<Organisation | undefined> {
    return this.driver.perform(() => get<Organisation>(this.a.findOrg, name));
  }
  async listOrganisations(): Promise<Organisation[]> {
    return this.driver.perform(() => all<Organisation>(this.a.listOrgs));
  }

  async createUser(u: { orgId: number; userName: string; displayName?: string | null; passwordHash: string | null; now: number }): Promise<AuthUser> {
    const a = this.a;
    return this.driver.perform(function* () {
      const { id } = (yield* get<{ id: number }>(a.insertUser, u.orgId, u.userName, u.displayName ?? null, u.passwordHash, u.now))!;
      return (yield* get<AuthUser>(a.userById, id))!;
    });
  }
  async findUser(userName: string): Promise<UserWithSecret | undefined> {
    const row = await this.driver.perform(() => get<UserWithSecret>(this.a.findUser, userName));
    return row && { ...row, disabled: !!row.disabled };
  }
  async setPassword(userId: number, passwordHash: string): Promise<void> {
    await this.driver.perform(() => run(this.a.setPassword, passwordHash, userId));
  }
  async setUserDisabled(userId: number, disabled: boolean): Promise<void> {
    await this.driver.perform(() => run(this.a.setDisabled, disabled, userId));
  }
  async listUsers(orgId?: number): Promise<Array<AuthUser & { disabled: boolean }>> {
    const rows = await this.driver.perform(() => all<AuthUser & { disabled: boolean }>(this.a.listUsers, orgId ?? null, orgId ?? null));
    return rows.map((r) => ({ ...r, disabled: !!r.disabled }));
  }
  async countUsers(): Promise<number> {
    return Number((await this.driver.perform(() => get<{ n: number }>(this.a.countUsers)))!.n);
  }

  async createApiKey(k: { userId: number; keyHash: string; label?: string | null; now: number }): Promise<number> {
    return (await this.driver.perform(() => get<{ id: number }>(this.a.insertKey, k.userId, k.keyHash, k.label ?? null, k.now)))!.id;
  }
  async findApiKey(keyHash: string): Promise<ApiKeyLookup> {
    const row = await this.driver.perform(() => get<AuthUser & { revokedAt: number | null; disabled: boolean }>(this.a.findKey, keyHash));
    if (!row) return undefined;
    const { revokedAt, disabled, ...user } = row;
    return { user, revoked: revokedAt !== null || !!disabled };
  }
  async revokeApiKey(id: number, now: number): Promise<boolean> {
    return (await this.driver.perform(() => run(this.a.revokeKey, now, id))) > 0;
  }
  async listApiKeys(orgId?: number): Promise<ApiKeyRow[]> {
    return this.driver.perform(() => all<ApiKeyRow>(this.a.listKeys, orgId ?? null, orgId ?? null));
  }

  async createSession(x: { idHash: string; userId: number; expiresAt: number; now: number }): Promise<void> {
    const a = this.a;
    await this.driver.perform(function* () {
      yield* run(a.purgeSessions, x.now);
      yield* run(a.insertSession, x.idHash, x.userId, x.now, x.expiresAt);
    });
  }
  async findSession(idHash: string, now: number): Promise<AuthUser | undefined> {
    return this.driver.perform(() => get<AuthUser>(this.a.findSession, idHash, now));
  }
  async deleteSession(idHash: string): Promise<void> {
    await this.driver.perform(() => run(this.a.deleteSession, idHash));
  }

  /** Counts an attempt against `key` and says whether it may go ahead; attempts on one key are counted one at a time. */
  async beginAuthAttempt(key: string, now: number, policy: AuthAttemptPolicy): Promise<Attempt> {
    const { a, driver } = this;
    return driver.transaction(function* (): Work<Attempt> {
      if (driver.lockKey) yield driver.lockKey(key);
      const prev = yield* get<{ failures: number; firstAt: number; blockedUntil: number | null }>(a.getFailure, key);
      if (prev?.blockedUntil && prev.blockedUntil > now) return { allowed: false, retryAfterMs: prev.blockedUntil - now };
      const fresh = !prev || now - prev.firstAt > policy.windowMs;
      if (fresh && Math.random() < 0.01) yield* run(a.purgeFailures, now - policy.windowMs, now);
      const failures = fresh ? 1 : prev.failures + 1;
      yield* run(a.putFailure, key, failures, fresh ? now : prev.firstAt, blockUntil(failures, now, policy));
      return { allowed: true };
    });
  }
  async refundAuthAttempt(key: string, forget: boolean, threshold: number): Promise<void> {
    if (forget) await this.driver.perform(() => run(this.a.clearFailure, key));
    else await this.driver.perform(() => run(this.a.refundFailure, threshold, key));
  }

  async createForm(f: { orgId: number; name: string; numberPrefix: string; owner?: string | null; now: number }): Promise<FormRow> {
    return (await this.driver.perform(() => get<FormRow>(this.a.insertForm, randomUUID(), randomUUID(), f.orgId, f.name, f.numberPrefix, f.owner ?? null, f.now)))!;
  }
  async listForms(orgId: number): Promise<FormRow[]> {
    return this.driver.perform(() => all<FormRow>(this.a.listForms, orgId));
  }
  async setFormStatus(formPk: number, status: FormRow['status']): Promise<void> {
    await this.driver.perform(() => run(this.a.setFormStatus, status, formPk));
  }
}
