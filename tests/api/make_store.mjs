// The api.store CTest fixture: makes GPSI_API_STORE/s.db from the shared data once per ctest run,
// for tests/api/openapi_conformance.mjs. Also imported by it to make a store of its own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

//! Makes a store in DIR/s.db the way the e2e tests do (tests/e2e/shared_store.hpp): init with the
//! country reference, then ingest of the whole shared data folder. Returns the store's path.
export function makeStore(dir, paths) {
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 's.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.blobs`]) fs.rmSync(f, { recursive: true, force: true });
  const run = (args) => execFileSync(paths.binary, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
  run(['--db', db, 'init', '--reference', paths.data]);
  run(['-q', '--db', db, 'ingest', paths.data]);
  return db;
}

//! Adds a member agency to the store DB for the member endpoints (docs/platform.md): the secretariat
//! (sam; root, its administrator), the U.S. FBI reporting homicide_rate of the USA as data set CRIME, its submitter (alice)
//! and approver (bob), each with the password kMemberPassword; writes their API tokens to
//! DIR/tokens.json and returns them by login.
//! The dashboard password makeMembers gives alice (a test store's only).
export const kMemberPassword = 'conformance run password';

export function makeMembers(db, paths) {
  const run = (args) => execFileSync(paths.binary, ['--db', db, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, GPSI_DB: '' } }).toString();
  run(['org', 'add', 'forum', '--kind', 'secretariat', '--name-en', 'Secretariat']);
  run(['org', 'add', 'us-fbi', '--kind', 'government', '--name-en', 'U.S. FBI', '--country', 'USA']);
  run(['org', 'agree', 'us-fbi', '--dataset', 'CRIME', '--indicator', 'homicide_rate']);
  const tokens = {};
  for (const [login, org, role] of [['alice', 'us-fbi', 'member-submitter'], ['bob', 'us-fbi', 'member-approver'], ['sam', 'forum', 'secretariat'], ['root', 'forum', 'admin']]) {
    run(['user', 'add', login, '--org', org, '--role', role]);
    {
      execFileSync(paths.binary, ['--db', db, 'user', 'set', login, '--password-stdin'],
        { input: `${kMemberPassword}\n`, stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
    }
    tokens[login] = run(['token', 'create', login]).split('\n')[0].trim();
  }
  fs.writeFileSync(path.join(path.dirname(db), 'tokens.json'), JSON.stringify(tokens));
  return tokens;
}

//! Validates the method over the store DB into DIR/validation (`gpsi validate`, 200 resamples:
//! what /api/v1/validation publishes) and returns that folder, for `gpsi serve --validation`.
export function makeValidation(db, paths) {
  const out = path.join(path.dirname(db), 'validation');
  const previous = path.join(path.dirname(paths.method), 'gpsi-2026.1.toml');
  execFileSync(paths.binary, ['-q', '--db', db, 'validate', '--method', paths.method, '--previous', previous,
    '--bootstrap', '200', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
  return out;
}

//! The store a suite serves: DB itself, or, when GPSI_TEST_BACKEND is `postgres`, a copy of it in a
//! new database of the tests' PostgreSQL cluster ($GPSI_TEST_PG, tests/pg/cluster.sh) set up as
//! docs/store.md says: the owner role fills it (`gpsi migrate --to`, which verifies every table),
//! the application role `gpsi` gets the GRANT and is what gpsi serves as, under row-level
//! security. The copy's raw files go to DIR/blobs ($GPSI_BLOBS, inherited by every gpsi started
//! after). Returns the location to pass as --db.
export function onBackend(db, dir, paths) {
  if ((process.env.GPSI_TEST_BACKEND || 'sqlite') === 'sqlite') return db;
  if (process.env.GPSI_TEST_BACKEND !== 'postgres') throw new Error(`GPSI_TEST_BACKEND: ${process.env.GPSI_TEST_BACKEND}?`);
  const host = process.env.GPSI_TEST_PG;
  if (!host) throw new Error('GPSI_TEST_BACKEND=postgres needs GPSI_TEST_PG, the test cluster (CTest fixture pg)');
  const name = `gpsi_api_${process.pid}_${Date.now()}`;
  const psql = (sql, database) => execFileSync('psql', ['-h', host, '-U', 'postgres', '-d', database, '-qAt',
    '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
  psql(`CREATE DATABASE ${name} OWNER gpsi_owner`, 'postgres');
  process.env.GPSI_BLOBS = path.join(dir, 'blobs');
  execFileSync(paths.binary, ['--db', db, 'migrate', '--to', `postgresql://gpsi_owner@/${name}?host=${host}`],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
  psql('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gpsi', name);
  console.log(`# the store: a copy in PostgreSQL database ${name}, served as the application role gpsi`);
  return `postgresql://gpsi@/${name}?host=${host}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = process.env.GPSI_API_STORE;
  if (!dir) {
    console.error('make_store.mjs: set GPSI_API_STORE to the folder of the store');
    process.exit(2);
  }
  const paths = {
    binary: process.env.GPSI_BINARY || path.join(repo, 'build/gpsi'),
    data: process.env.GPSI_DATA || path.resolve(repo, '../shared/data'),
    method: process.env.GPSI_METHOD || path.join(repo, 'methods/gpsi.toml'),
  };
  const t0 = Date.now();
  const db = makeStore(dir, paths);
  const validation = makeValidation(db, paths);
  makeMembers(db, paths);
  console.log(`store ${db} and ${validation} made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
