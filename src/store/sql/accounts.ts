/**
 * SQL of organisations, users, credentials, sessions, sign-in throttling and forms, written once
 * for both dialects. Aliases are quoted so PostgreSQL keeps their letter case.
 */
import { statements, type DialectSql } from '../driver/driver.ts';

const userColumns = `u.id AS "userId", u.user_name AS "userName", u.display_name AS "displayName", u.org_id AS "orgId", o.name AS "orgName"`;
const formColumns = `id AS pk, form_id AS "formId", form_revision_id AS "formRevisionId", org_id AS "orgId", name,
  number_prefix AS "numberPrefix", owner, revision, status`;
/** every row, or only the organisation's: the organisation is given twice */
const inOrg = (column: string) => `(CAST(? AS bigint) IS NULL OR ${column} = ?)`;

export function accountStatements(d: DialectSql) {
  return statements({
    insertOrg: 'INSERT INTO organisations (name, created_at) VALUES (?, ?) RETURNING id, name',
    findOrg: `SELECT id, name FROM organisations WHERE ${d.sameText('name')}`,
    listOrgs: 'SELECT id, name FROM organisations ORDER BY id',
    insertUser: 'INSERT INTO users (org_id, user_name, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    userById: `SELECT ${userColumns} FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`,
    findUser: `SELECT ${userColumns}, u.password_hash AS "passwordHash", u.disabled FROM users u JOIN organisations o ON o.id = u.org_id
      WHERE ${d.sameText('u.user_name')}`,
    setPassword: 'UPDATE users SET password_hash = ? WHERE id = ?',
    setDisabled: 'UPDATE users SET disabled = ? WHERE id = ?',
    listUsers: `SELECT ${userColumns}, u.disabled FROM users u JOIN organisations o ON o.id = u.org_id WHERE ${inOrg('u.org_id')} ORDER BY u.id`,
    countUsers: 'SELECT count(*) AS n FROM users',
    insertKey: 'INSERT INTO api_keys (user_id, key_hash, label, created_at) VALUES (?, ?, ?, ?) RETURNING id',
    findKey: `SELECT ${userColumns}, k.revoked_at AS "revokedAt", u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id
      JOIN organisations o ON o.id = u.org_id WHERE k.key_hash = ?`,
    revokeKey: 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    listKeys: `SELECT k.id, k.user_id AS "userId", u.user_name AS "userName", k.label, k.created_at AS "createdAt", k.revoked_at AS "revokedAt"
      FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ${inOrg('u.org_id')} ORDER BY k.id`,
    insertSession: 'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    findSession: `SELECT ${userColumns} FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id
      WHERE s.id_hash = ? AND s.expires_at > ? AND NOT u.disabled`,
    deleteSession: 'DELETE FROM sessions WHERE id_hash = ?',
    purgeSessions: 'DELETE FROM sessions WHERE expires_at <= ?',
    getFailure: 'SELECT failures, first_at AS "firstAt", blocked_until AS "blockedUntil" FROM auth_failures WHERE key = ?',
    putFailure: `INSERT INTO auth_failures (key, failures, first_at, blocked_until) VALUES (?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, blocked_until = excluded.blocked_until`,
    clearFailure: 'DELETE FROM auth_failures WHERE key = ?',
    refundFailure: `UPDATE auth_failures SET failures = ${d.greatest('failures - 1', '0')},
      blocked_until = CASE WHEN failures - 1 < ? THEN NULL ELSE blocked_until END WHERE key = ?`,
    purgeFailures: 'DELETE FROM auth_failures WHERE first_at < ? AND (blocked_until IS NULL OR blocked_until < ?)',
    insertForm: `INSERT INTO forms (form_id, form_revision_id, org_id, name, number_prefix, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      RETURNING ${formColumns}`,
    listForms: `SELECT ${formColumns} FROM forms WHERE org_id = ? ORDER BY id`,
    setFormStatus: 'UPDATE forms SET status = ? WHERE id = ?',
  });
}
