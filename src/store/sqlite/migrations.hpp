// Numbered schema migrations of the SQLite store; migration i brings user_version from i-1 to i.
// Append only: a released migration is never edited.
#pragma once

#include <array>
#include <string_view>

namespace gpsi::detail {

inline constexpr std::array<std::string_view, 11> kMigrations{
    // 1: foundation — reference units, provenance, observations, quarantine.
    R"sql(
CREATE TABLE units(
  code TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind IN ('country','territory','sub-unit','other')),
  name_en TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  official_name_en TEXT NOT NULL DEFAULT '',
  iso2 TEXT NOT NULL DEFAULT '', iso3 TEXT NOT NULL DEFAULT '', m49 TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL DEFAULT '', region_name TEXT NOT NULL DEFAULT '',
  subregion_code TEXT NOT NULL DEFAULT '', subregion_name TEXT NOT NULL DEFAULT '',
  intermediate_code TEXT NOT NULL DEFAULT '', intermediate_name TEXT NOT NULL DEFAULT '',
  parent TEXT REFERENCES units(code)
);
CREATE TABLE unit_names(
  name_key TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(code), origin TEXT NOT NULL,
  PRIMARY KEY(name_key, unit)) WITHOUT ROWID;
CREATE TABLE aggregate_names(
  name_key TEXT PRIMARY KEY, label TEXT NOT NULL, origin TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  publisher TEXT NOT NULL,
  tier INTEGER NOT NULL CHECK(tier BETWEEN 1 AND 4),
  licence TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',
  release TEXT NOT NULL, retrieved TEXT NOT NULL DEFAULT '',
  preference INTEGER NOT NULL DEFAULT 0,
  UNIQUE(key, release));
CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  bytes INTEGER NOT NULL,
  source INTEGER REFERENCES sources(id),
  descriptor TEXT NOT NULL DEFAULT '',
  ingested_at TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0, rows_accepted INTEGER NOT NULL DEFAULT 0,
  rows_quarantined INTEGER NOT NULL DEFAULT 0, rows_skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE unit_groups(
  unit TEXT NOT NULL REFERENCES units(code), grouping TEXT NOT NULL, value TEXT NOT NULL,
  file INTEGER REFERENCES files(id),
  PRIMARY KEY(unit, grouping)) WITHOUT ROWID;
CREATE TABLE indicators(
  code TEXT PRIMARY KEY,
  name_en TEXT NOT NULL DEFAULT '', name_zh TEXT NOT NULL DEFAULT '',
  unit_of_measure TEXT NOT NULL DEFAULT '', dimension TEXT NOT NULL DEFAULT '',
  direction INTEGER NOT NULL DEFAULT 1 CHECK(direction IN (-1, 1)),
  description TEXT NOT NULL DEFAULT '');
CREATE TABLE observations(
  unit TEXT NOT NULL REFERENCES units(code),
  indicator TEXT NOT NULL REFERENCES indicators(code),
  year INTEGER NOT NULL,
  file INTEGER NOT NULL REFERENCES files(id),
  value REAL NOT NULL,
  source INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(unit, indicator, year, file)) WITHOUT ROWID;
CREATE TABLE quarantine(
  id INTEGER PRIMARY KEY,
  file INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL, "column" INTEGER NOT NULL,
  raw TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
CREATE INDEX quarantine_file ON quarantine(file);
)sql",
    // 2: index builds — every `gpsi build` run with the hashes of what went in.
    R"sql(
CREATE TABLE runs(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  created TEXT NOT NULL,
  method_id TEXT NOT NULL, method_hash TEXT NOT NULL, data_hash TEXT NOT NULL,
  engine_version TEXT NOT NULL, out_dir TEXT NOT NULL, scores_sha256 TEXT NOT NULL);
CREATE INDEX runs_id ON runs(id);
)sql",
    // 3: gpsi update — validators of the last successful fetch of each URL (conditional requests).
    R"sql(
CREATE TABLE fetch_state(
  url TEXT PRIMARY KEY,
  etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '', fetched_at TEXT NOT NULL DEFAULT '');
)sql",
    // 4: the member platform — organisations, their countries and provision agreements, accounts,
    // API tokens (hashed) and the append-only, hash-chained audit log (docs/platform.md).
    R"sql(
CREATE TABLE orgs(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name_en TEXT NOT NULL, name_zh TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK(kind IN ('secretariat','government','think-tank')),
  tier INTEGER NOT NULL CHECK(tier BETWEEN 0 AND 4),
  created TEXT NOT NULL, disabled TEXT NOT NULL DEFAULT '');
CREATE TABLE org_countries(
  org INTEGER NOT NULL REFERENCES orgs(id), unit TEXT NOT NULL REFERENCES units(code),
  PRIMARY KEY(org, unit)) WITHOUT ROWID;
CREATE TABLE agreements(
  org INTEGER NOT NULL REFERENCES orgs(id), dataset TEXT NOT NULL, indicators TEXT NOT NULL,
  PRIMARY KEY(org, dataset)) WITHOUT ROWID;
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT '',
  org INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL CHECK(role IN ('admin','secretariat','member-submitter','member-approver','reader')),
  password TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, disabled TEXT NOT NULL DEFAULT '',
  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT NOT NULL DEFAULT '');
CREATE TABLE tokens(
  id INTEGER PRIMARY KEY,
  user INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL UNIQUE, suffix TEXT NOT NULL, scopes TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, expires TEXT NOT NULL, revoked TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX tokens_suffix ON tokens(suffix);
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL, actor TEXT NOT NULL, org TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL,
  before TEXT NOT NULL DEFAULT '', after TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
-- Append-only through SQL: the chain of hashes (gpsi audit-log verify) finds what bypasses these.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 5: member submissions — a submission's rows are an ingest of its file into a source release
    // of its own, which every read of the index skips until sources.visible_from has passed
    // ('' for public sources: always; unpublished submissions: the year 9999).
    R"sql(
ALTER TABLE sources ADD COLUMN visible_from TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN org INTEGER REFERENCES orgs(id);
CREATE TABLE submissions(
  id INTEGER PRIMARY KEY,
  org INTEGER NOT NULL REFERENCES orgs(id),
  dataset TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK(state IN ('draft','submitted','validated','approved','accepted','published','returned')),
  source INTEGER NOT NULL REFERENCES sources(id),
  file INTEGER NOT NULL REFERENCES files(id),
  note TEXT NOT NULL DEFAULT '',
  submitter TEXT NOT NULL, approver TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL DEFAULT '',
  embargo TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX submissions_org ON submissions(org);
)sql",
    // 6: validation flags of a submission's values, each waiting for a member's comment; and the
    // rows of one file found without a scan (a submission's rows: its upload checks, its flags).
    R"sql(
CREATE INDEX observations_file ON observations(file, line);
CREATE TABLE submission_flags(
  id INTEGER PRIMARY KEY,
  submission INTEGER NOT NULL REFERENCES submissions(id),
  unit TEXT NOT NULL, indicator TEXT NOT NULL, year INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('outlier','un-difference','series-break')),
  value REAL NOT NULL, reference REAL NOT NULL, score REAL NOT NULL,
  comment TEXT NOT NULL DEFAULT '', commented_by TEXT NOT NULL DEFAULT '', commented_at TEXT NOT NULL DEFAULT '',
  UNIQUE(submission, unit, indicator, year, kind));
)sql",
    // 7: dashboard sessions, kept as tokens are (their SHA-256 only); ended by expiry or logout.
    R"sql(
CREATE TABLE sessions(
  id INTEGER PRIMARY KEY,
  user INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL, expires TEXT NOT NULL, revoked TEXT NOT NULL DEFAULT '');
)sql",
    // 8: PostgreSQL's row-level security for members' unpublished data (postgres/migrations.hpp).
    // SQLite has none: the platform enforces the same visibility in the application
    // (platform::Authenticate narrows what a principal sees), so the schema is unchanged here.
    R"sql(
SELECT 1;
)sql",
    // 9: the excellent-practice evaluation (docs/evaluation.md): campaigns, their applications,
    // judges and assignment, and the judges' sealed score sheets, append-only as the audit log is.
    R"sql(
CREATE TABLE campaigns(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK(state IN ('setup','scoring','panel','published')),
  rules TEXT NOT NULL, rules_sha256 TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, opened TEXT NOT NULL DEFAULT '', closed TEXT NOT NULL DEFAULT '',
  published TEXT NOT NULL DEFAULT '', results TEXT NOT NULL DEFAULT '');
CREATE TABLE campaign_applications(
  campaign INTEGER NOT NULL REFERENCES campaigns(id), code TEXT NOT NULL,
  org TEXT NOT NULL, country TEXT NOT NULL, project TEXT NOT NULL, documents TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(campaign, code)) WITHOUT ROWID;
CREATE TABLE campaign_judges(
  campaign INTEGER NOT NULL REFERENCES campaigns(id), login TEXT NOT NULL,
  org TEXT NOT NULL, country TEXT NOT NULL DEFAULT '', declared TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(campaign, login)) WITHOUT ROWID;
CREATE TABLE campaign_assignments(
  campaign INTEGER NOT NULL, application TEXT NOT NULL, judge TEXT NOT NULL,
  PRIMARY KEY(campaign, application, judge),
  FOREIGN KEY(campaign, application) REFERENCES campaign_applications(campaign, code),
  FOREIGN KEY(campaign, judge) REFERENCES campaign_judges(campaign, login)) WITHOUT ROWID;
CREATE TABLE campaign_sheets(
  id INTEGER PRIMARY KEY,
  campaign INTEGER NOT NULL REFERENCES campaigns(id), application TEXT NOT NULL, judge TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK(revision >= 1),
  scores TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  sealed_at TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE(campaign, application, judge, revision));
-- A sealed sheet is never changed: a later revision is a new row (and an audit entry).
CREATE TRIGGER campaign_sheets_no_update BEFORE UPDATE ON campaign_sheets
  BEGIN SELECT RAISE(ABORT, 'sealed score sheets are append-only'); END;
CREATE TRIGGER campaign_sheets_no_delete BEFORE DELETE ON campaign_sheets
  BEGIN SELECT RAISE(ABORT, 'sealed score sheets are append-only'); END;
)sql",
    // 10: event points — each GDELT event `gpsi events` reads with a valid ActionGeo place, for the
    // project risk sheets (docs/events.md). One row per (source, event_id): the first line stored
    // wins. The file is named by its sha256 (checked at the commit: a run writes the points of a new
    // file before its files row); indexes for a unit's days and for a box of days and coordinates.
    R"sql(
CREATE TABLE event_points(
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  lat REAL NOT NULL CHECK(lat BETWEEN -90 AND 90),
  lon REAL NOT NULL CHECK(lon BETWEEN -180 AND 180),
  adm1 TEXT NOT NULL DEFAULT '',
  country_fips TEXT NOT NULL DEFAULT '',
  unit TEXT NOT NULL DEFAULT '',
  root_code INTEGER NOT NULL CHECK(root_code BETWEEN 1 AND 20),
  quad_class INTEGER NOT NULL CHECK(quad_class BETWEEN 1 AND 4),
  goldstein REAL NOT NULL,
  mentions INTEGER NOT NULL,
  file_sha256 TEXT NOT NULL REFERENCES files(sha256) DEFERRABLE INITIALLY DEFERRED,
  line INTEGER NOT NULL,
  PRIMARY KEY(source, event_id)) WITHOUT ROWID;
CREATE INDEX event_points_unit_day ON event_points(unit, day);
CREATE INDEX event_points_day ON event_points(day, lat, lon);
)sql",
    // 11: enterprises and their project risk sheets (docs/risk.md, "Projects on the platform"). An
    // organisation may now be an enterprise; SQLite cannot alter a CHECK, so orgs is copied into a
    // table with the new one and renamed (its schema's 12-step way: Migrate turns foreign keys off
    // around a migration and checks them before the commit). A sheet is append-only: a
    // re-assessment of the same project is its next revision.
    R"sql(
CREATE TABLE orgs_v11(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name_en TEXT NOT NULL, name_zh TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK(kind IN ('secretariat','government','think-tank','enterprise')),
  tier INTEGER NOT NULL CHECK(tier BETWEEN 0 AND 4),
  created TEXT NOT NULL, disabled TEXT NOT NULL DEFAULT '');
INSERT INTO orgs_v11(id,key,name_en,name_zh,kind,tier,created,disabled)
  SELECT id,key,name_en,name_zh,kind,tier,created,disabled FROM orgs;
DROP TABLE orgs;
ALTER TABLE orgs_v11 RENAME TO orgs;
CREATE TABLE risk_projects(
  id INTEGER PRIMARY KEY,
  org INTEGER NOT NULL REFERENCES orgs(id),
  project TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK(revision >= 1),
  country TEXT NOT NULL,
  sheet TEXT NOT NULL, sha256 TEXT NOT NULL,
  created TEXT NOT NULL, created_by TEXT NOT NULL,
  UNIQUE(org, project, revision));
CREATE TRIGGER risk_projects_no_update BEFORE UPDATE ON risk_projects
  BEGIN SELECT RAISE(ABORT, 'project risk sheets are append-only'); END;
CREATE TRIGGER risk_projects_no_delete BEFORE DELETE ON risk_projects
  BEGIN SELECT RAISE(ABORT, 'project risk sheets are append-only'); END;
)sql",
};

}  // namespace gpsi::detail
