import type { Migration } from '../migration-ledger.ts';

/** A version 4 UUID, evaluated once per row. */
const randomUuid = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Schema versions, applied in order at start. Never edit a released entry: add a new one. */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'organisations, users, credentials, forms, imports and their staging, reports',
    sql: `
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations(id),
  user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT,
  password_hash TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  key_hash TEXT NOT NULL UNIQUE,
  label TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE auth_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  blocked_until INTEGER
) WITHOUT ROWID;
CREATE TABLE forms (
  id INTEGER PRIMARY KEY,
  form_id TEXT NOT NULL UNIQUE,
  form_revision_id TEXT NOT NULL,
  org_id INTEGER NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL COLLATE NOCASE,
  number_prefix TEXT NOT NULL,
  owner TEXT,
  revision INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL DEFAULT 'Active',
  next_seq INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, name)
);
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  import_id TEXT NOT NULL UNIQUE,
  org_id INTEGER NOT NULL REFERENCES organisations(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  filename TEXT NOT NULL,
  status TEXT NOT NULL,
  staged_reports INTEGER NOT NULL DEFAULT 0,
  -- the worker's cursor: the import's reports up to this id have their numbers
  numbered_through INTEGER NOT NULL DEFAULT 0,
  total_reports INTEGER NOT NULL DEFAULT 0,
  imported_reports INTEGER NOT NULL DEFAULT 0,
  duplicate_reports INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX imports_pending ON imports (status) WHERE status IN ('Receiving', 'Queued', 'Importing');
-- a report id belongs to the first accepted import that names it: the duplicate check
CREATE TABLE report_claims (
  org_id INTEGER NOT NULL,
  report_id TEXT NOT NULL,
  import_pk INTEGER NOT NULL,
  PRIMARY KEY (org_id, report_id)
) WITHOUT ROWID;
-- A report is written while its import's file is checked, without a number: it waits, invisible
-- to every read, until the worker numbers it. A report exists once it has its number.
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  report_id TEXT NOT NULL,
  org_id INTEGER NOT NULL REFERENCES organisations(id),
  form_pk INTEGER NOT NULL REFERENCES forms(id),
  seq INTEGER,
  number TEXT,
  summary TEXT NOT NULL,
  status TEXT NOT NULL,
  category TEXT,
  owner TEXT,
  raised_by TEXT NOT NULL,
  raised_from TEXT,
  closed_by TEXT,
  raised_date INTEGER NOT NULL,
  submitted_date INTEGER,
  closed_date INTEGER,
  is_mandatory INTEGER NOT NULL,
  import_pk INTEGER REFERENCES imports(id),
  created_at INTEGER,
  UNIQUE (form_pk, seq)
);
-- waiting copies of one id may exist in racing imports; the claims table decides which one is numbered
CREATE UNIQUE INDEX reports_report_id ON reports (org_id, report_id) WHERE number IS NOT NULL;
CREATE INDEX reports_import ON reports (import_pk);
CREATE TABLE report_fields (
  id INTEGER PRIMARY KEY,
  field_id TEXT NOT NULL UNIQUE,
  report_pk INTEGER NOT NULL REFERENCES reports(id),
  -- the SectionRepeater field whose row holds this one
  parent_field_id TEXT,
  row_index INTEGER,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  field_type TEXT NOT NULL,
  section_name TEXT,
  value TEXT,
  values_json TEXT
);
CREATE INDEX report_fields_report ON report_fields (report_pk);
`,
  },
  {
    version: 2,
    name: 'read side: indexes for report queries, field bank and section ids, field change history',
    sql: `
ALTER TABLE report_fields ADD COLUMN section_id TEXT;
ALTER TABLE report_fields ADD COLUMN bank_pk INTEGER;
-- one id per label (case-insensitive) and type in an organisation: "the same field" across reports;
-- fields point at it by its integer key, which keeps their index small
CREATE TABLE field_bank (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  label_key TEXT NOT NULL,
  field_type TEXT NOT NULL,
  bank_field_id TEXT NOT NULL UNIQUE,
  UNIQUE (org_id, label_key, field_type)
);
CREATE TABLE field_changes (
  id INTEGER PRIMARY KEY,
  field_pk INTEGER NOT NULL REFERENCES report_fields(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  changed_at INTEGER NOT NULL,
  old_value TEXT,
  old_values_json TEXT,
  new_value TEXT,
  new_values_json TEXT
);
CREATE INDEX field_changes_field ON field_changes (field_pk);
-- numbered reports per form and status: counts of whole forms or statuses without reading the reports
CREATE TABLE report_counts (
  org_id INTEGER NOT NULL,
  form_pk INTEGER NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (org_id, form_pk, status)
) WITHOUT ROWID;
INSERT INTO report_counts (org_id, form_pk, status, n)
  SELECT org_id, form_pk, status, count(*) FROM reports WHERE number IS NOT NULL GROUP BY org_id, form_pk, status;
-- reads see numbered reports only, so the indexes leave waiting ones out
CREATE INDEX reports_number ON reports (form_pk, number) WHERE number IS NOT NULL;
CREATE INDEX reports_form_submitted ON reports (form_pk, submitted_date) WHERE number IS NOT NULL;
CREATE INDEX reports_org_submitted ON reports (org_id, submitted_date) WHERE number IS NOT NULL;
CREATE INDEX reports_org_raised ON reports (org_id, raised_date) WHERE number IS NOT NULL;
CREATE INDEX reports_org_status ON reports (org_id, status) WHERE number IS NOT NULL;
CREATE INDEX reports_org_order ON reports (org_id, id, status) WHERE number IS NOT NULL;
CREATE INDEX report_fields_bank ON report_fields (bank_pk);
-- fields stored before this version get their ids here
INSERT INTO field_bank (org_id, label_key, field_type, bank_field_id)
  SELECT DISTINCT r.org_id, lower(f.label), f.field_type, '' || r.org_id || ':' || lower(f.label) || ':' || f.field_type
  FROM report_fields f JOIN reports r ON r.id = f.report_pk;
UPDATE field_bank SET bank_field_id = ${randomUuid};
UPDATE report_fields SET bank_pk = (SELECT b.id FROM field_bank b JOIN reports r ON r.id = report_fields.report_pk
  WHERE b.org_id = r.org_id AND b.label_key = lower(report_fields.label) AND b.field_type = report_fields.field_type);
CREATE TEMP TABLE section_ids AS SELECT DISTINCT report_pk, section_name, '' AS id FROM report_fields WHERE section_name IS NOT NULL;
UPDATE section_ids SET id = ${randomUuid};
UPDATE report_fields SET section_id = (SELECT s.id FROM section_ids s WHERE s.report_pk = report_fields.report_pk
  AND s.section_name = report_fields.section_name) WHERE section_name IS NOT NULL;
DROP TABLE section_ids;
`,
  },
];
