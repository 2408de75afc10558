/** SQL of organisations, users, credentials, sessions, sign-in throttling and forms (PostgreSQL). */
import type { SqlSet } from './sql-set.ts';

const userColumns = `u.id AS "userId", u.user_name AS "userName", u.display_name AS "displayName", u.org_id AS "orgId", o.name AS "orgName"`;
const formColumns = `id AS pk, form_id AS "formId", form_revision_id AS "formRevisionId", org_id AS "orgId", name,
  number_prefix AS "numberPrefix", owner, revision, status`;

export const accountsSql = {
  insertOrg: 'INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id, name',
  findOrg: 'SELECT id, name FROM organisations WHERE lower(name) = lower($1)',
  listOrgs: 'SELECT id, name FROM organisations ORDER BY id',
  insertUser: 'INSERT INTO users (org_id, user_name, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
  userById: `SELECT ${userColumns} FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`,
  findUser: `SELECT ${userColumns}, u.password_hash AS "passwordHash", u.disabled FROM users u JOIN organisations o ON o.id = u.org_id
    WHERE lower(u.user_name) = lower($1)`,
  setPassword: 'UPDATE users SET password_hash = $1 WHERE id = $2',
  setDisabled: 'UPDATE users SET disabled = $1 WHERE id = $2',
  listUsers: `SELECT ${userColumns}, u.disabled FROM users u JOIN organisations o ON o.id = u.org_id
    WHERE ($1::bigint IS NULL OR u.org_id = $1) ORDER BY u.id`,
  countUsers: 'SELECT count(*) AS n FROM users',
  insertKey: 'INSERT INTO api_keys (user_id, key_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
  findKey: `SELECT ${userColumns}, k.revoked_at AS "revokedAt", u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id
    JOIN organisations o ON o.id = u.org_id WHERE k.key_hash = $1`,
  revokeKey: 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
  listKeys: `SELECT k.id, k.user_id AS "userId", u.user_name AS "userName", k.label, k.created_at AS "createdAt", k.revoked_at AS "revokedAt"
    FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ($1::bigint IS NULL OR u.org_id = $1) ORDER BY k.id`,
  insertSession: 'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
  findSession: `SELECT ${userColumns} FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id
    WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
  deleteSession: 'DELETE FROM sessions WHERE id_hash = $1',
  purgeSessions: 'DELETE FROM sessions WHERE expires_at <= $1',
  // sign-in attempts against one key are counted one at a time, across every process
  lockFailureKey: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
  getFailure: 'SELECT failures, first_at AS "firstAt", blocked_until AS "blockedUntil" FROM auth_failures WHERE key = $1',
  putFailure: `INSERT INTO auth_failures (key, failures, first_at, blocked_until) VALUES ($1, $2, $3, $4)
    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, blocked_until = excluded.blocked_until`,
  clearFailure: 'DELETE FROM auth_failures WHERE key = $1',
  refundFailure: `UPDATE auth_failures SET failures = greatest(failures - 1, 0),
    blocked_until = CASE WHEN failures - 1 < $1 THEN NULL ELSE blocked_until END WHERE key = $2`,
  purgeFailures: 'DELETE FROM auth_failures WHERE first_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
  insertForm: `INSERT INTO forms (form_id, form_revision_id, org_id, name, number_prefix, owner, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
    RETURNING ${formColumns}`,
  listForms: `SELECT ${formColumns} FROM forms WHERE org_id = $1 ORDER BY id`,
  setFormStatus: 'UPDATE forms SET status = $1 WHERE id = $2',
} satisfies SqlSet;
