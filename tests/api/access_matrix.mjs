// The role × endpoint matrix (docs/security.md, "Access control"): every case of
// access_matrix.json — every operation of the OpenAPI document, and the static files — called by
// the anonymous public and by every role, once with its API token and once with a dashboard
// session (cookie and CSRF token). Prints each refusal that got through (a leak) and each allowed
// call that was refused (an over-denial), and the totals; exits 1 on any, or on an operation of the
// document without a case. Runs against a copy of the api.store fixture (GPSI_API_STORE), so it
// may change it; on SQLite, or on PostgreSQL as the application role (GPSI_TEST_BACKEND=postgres).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kMemberPassword, makeMembers, makeStore, onBackend } from './make_store.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const paths = {
  binary: process.env.GPSI_BINARY || path.join(repo, 'build/gpsi'),
  data: process.env.GPSI_DATA || path.resolve(repo, '../shared/data'),
  method: process.env.GPSI_METHOD || path.join(repo, 'methods/gpsi.toml'),
  doc: process.env.GPSI_OPENAPI || path.join(repo, 'src/server/openapi.json'),
  dist: process.env.GPSI_WEB_DIST || path.join(repo, 'web/dist'),
};
const matrix = JSON.parse(fs.readFileSync(path.join(here, 'access_matrix.json'), 'utf8'));

//! A copy of the fixture's store (or a new store) in a temporary folder, with the matrix's accounts.
function prepareStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpsi-matrix-'));
  const shared = process.env.GPSI_API_STORE;
  if (shared && fs.existsSync(path.join(shared, 's.db'))) {
    for (const f of ['s.db', 's.db-wal', 's.db.blobs', 'validation', 'tokens.json']) {
      if (fs.existsSync(path.join(shared, f))) fs.cpSync(path.join(shared, f), path.join(dir, f), { recursive: true });
    }
  } else {
    makeStore(dir, paths);
  }
  const db = path.join(dir, 's.db');
  const tokenFile = path.join(dir, 'tokens.json');
  const tokens = fs.existsSync(tokenFile) ? JSON.parse(fs.readFileSync(tokenFile, 'utf8')) : makeMembers(db, paths);
  const run = (args, input) => execFileSync(paths.binary, ['--db', db, ...args],
    { input, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, GPSI_DB: '' } }).toString();
  run(['org', 'add', 'ca-rcmp', '--kind', 'government', '--name-en', 'RCMP', '--country', 'CAN']);
  run(['org', 'agree', 'ca-rcmp', '--dataset', 'CRIME', '--indicator', 'homicide_rate']);
  run(['org', 'add', 'acme', '--kind', 'think-tank', '--name-en', 'Acme (an applicant)']);
  run(['org', 'add', 'cn-roads', '--kind', 'enterprise', '--name-en', 'Roads Co (an enterprise)']);
  run(['org', 'add', 'cn-power', '--kind', 'enterprise', '--name-en', 'Power Co (another enterprise)']);
  for (const [login, org, role] of [['carol', 'ca-rcmp', 'member-approver'], ['rita', 'us-fbi', 'reader'],
    ['jill', 'us-fbi', 'reader'], ['ann', 'acme', 'reader'], ['jack', 'us-fbi', 'reader'], ['joan', 'us-fbi', 'reader'],
    ['erin', 'cn-roads', 'member-submitter'], ['olga', 'cn-power', 'member-submitter']]) {
    run(['user', 'add', login, '--org', org, '--role', role, '--password-stdin'], `${kMemberPassword}\n`);
    tokens[login] = run(['token', 'create', login]).split('\n')[0].trim();
  }
  return { dir, db: onBackend(db, dir, paths), tokens };
}

function startServer(db) {
  return new Promise((resolve, reject) => {
    const args = ['--db', db, 'serve', '--port', '0', '--method', paths.method, '--web', paths.dist, '--intervals', '0',
      '--forecast-draws', '0', '--login-attempts', '10000', '--access-log', 'off',
      '--risk-method', path.join(repo, 'methods/risk.toml')];
    const proc = spawn(paths.binary, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, base: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`gpsi serve ended (exit ${code}) before serving`)));
  });
}

//! A campaign at the scoring stage, set up by sam over the API: applications A1 (acme's, ann's
//! organisation) and A2, judges jill, jack and joan. Returns its key.
async function scoringCampaign(base, tokens) {
  const key = `matrix-${process.pid}`;
  const post = async (url, body) => {
    const r = await fetch(base + url, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body),
      headers: { Authorization: `Bearer ${tokens.sam}`, 'content-type': 'application/json' } });
    if (r.status !== 200 && r.status !== 201) throw new Error(`${url}: HTTP ${r.status}: ${await r.text()}`);
  };
  const rules = fs.readFileSync(path.join(repo, 'methods/evaluation/overseas-practice.toml'), 'utf8');
  await post('/api/v1/campaigns', { key, rules });
  await post(`/api/v1/campaigns/${key}/entries`, {
    applications: [{ code: 'A1', org: 'acme', country: 'KEN', project: 'Road' }, { code: 'A2', org: 'beta', country: 'PAK', project: 'Port' }],
    judges: ['jill', 'jack', 'joan'].map((login) => ({ login, org: 'panel' })),
  });
  for (const step of ['assign', 'open']) await post(`/api/v1/campaigns/${key}/${step}`);
  return key;
}

async function call(base, method, url, { headers = {}, body } = {}) {
  const r = await fetch(base + url, { method, headers, body, redirect: 'manual' });
  await r.arrayBuffer();
  return r.status;
}

async function main() {
  const { dir, db, tokens } = prepareStore();
  const server = await startServer(db);
  process.on('exit', () => server.proc.kill('SIGKILL'));
  const { base } = server;
  try {
    // The draft D: alice's upload, whose 2019 value (about twice UNODC's) validation will flag.
    const draft = `unit,year,indicator,value\nUSA,2017,homicide_rate,5.3\nUSA,2019,homicide_rate,${(9 + Math.random()).toFixed(6)}\n`;
    const up = await fetch(`${base}/api/v1/submissions?dataset=CRIME`, { method: 'POST', body: draft,
      headers: { Authorization: `Bearer ${tokens.alice}`, 'content-type': 'text/csv' } });
    if (up.status !== 201) throw new Error(`the draft upload: HTTP ${up.status}: ${await up.text()}`);
    const D = (await up.json()).id;
    let F = null;
    const flag = async () => {
      if (F !== null) return F;
      const d = await (await fetch(`${base}/api/v1/submissions/${D}`, { headers: { Authorization: `Bearer ${tokens.root}` } })).json();
      F = d.flags[0]?.flag ?? 999999;
      return F;
    };
    // The campaign M at the scoring stage: sam sets it up through the API, jill judges A1 and A2.
    const M = await scoringCampaign(base, tokens);
    // The project sheet P: erin's enterprise has a project assessed.
    const project = (matrix.cases.find((c) => c.op === 'POST /api/v1/risk/projects')).body;
    const kept = await fetch(`${base}/api/v1/risk/projects`, { method: 'POST', body: JSON.stringify(project),
      headers: { Authorization: `Bearer ${tokens.erin}`, 'content-type': 'application/json' } });
    if (kept.status !== 201) throw new Error(`the project sheet: HTTP ${kept.status}: ${await kept.text()}`);
    const P = (await kept.json()).id;
    // A session per role, logged in through the API as the dashboard does.
    const sessions = {};
    for (const [role, login] of Object.entries(matrix.roles)) {
      const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: kMemberPassword }) });
      if (r.status !== 200) throw new Error(`login of ${login}: HTTP ${r.status}`);
      sessions[role] = { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf };
    }

    const doc = JSON.parse(fs.readFileSync(paths.doc, 'utf8'));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const covered = new Set(matrix.cases.map((c) => c.op));
    const missing = documented.filter((op) => !covered.has(op));

    const roles = Object.keys(matrix.roles);
    const results = [];
    for (const c of matrix.cases) {
      const [method, template] = c.method ? [c.method, c.path] : c.op.split(' ');
      let url = c.path ?? template;
      url = url.replace('{D}', D).replace('{M}', M).replace('{P}', P);
      if (url.includes('{F}')) url = url.replace('{F}', await flag());
      const allow = c.allow === 'everyone' ? ['anonymous', ...roles] : c.allow;
      const deny = c.deny ?? [401, 403];
      const body = () => (c.csv ? c.csv.replace('{random}', (4 + Math.random()).toFixed(6)) : c.body ? JSON.stringify(c.body) : undefined);
      const type = c.csv ? 'text/csv' : 'application/json';
      const callers = [['anonymous', 'none', {}]];
      for (const role of roles) {
        if (c.credentials !== 'session') callers.push([role, 'token', { Authorization: `Bearer ${tokens[matrix.roles[role]]}` }]);
        const s = sessions[role];
        callers.push([role, 'session', { Cookie: s.cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': s.csrf }) }]);
      }
      for (const [role, kind, auth] of callers) {
        const b = body();
        const status = await call(base, method, url, { headers: { ...auth, ...(b ? { 'content-type': type } : {}) }, body: b });
        const refused = deny.includes(status);
        const expected = allow.includes(role) ? 'allow' : 'deny';
        const got = refused ? 'deny' : 'allow';
        results.push({ op: c.op, url, role, kind, status, expected, got, server: status >= 500 });
      }
    }
    const leaks = results.filter((r) => r.expected === 'deny' && r.got === 'allow');
    const over = results.filter((r) => r.expected === 'allow' && r.got === 'deny');
    const errors = results.filter((r) => r.server);
    for (const r of leaks) console.log(`LEAK ${r.role} (${r.kind}) ${r.op}: ${r.url} → ${r.status}`);
    for (const r of over) console.log(`OVER-DENIAL ${r.role} (${r.kind}) ${r.op}: ${r.url} → ${r.status}`);
    for (const r of errors) console.log(`SERVER ERROR ${r.role} (${r.kind}) ${r.op}: ${r.url} → ${r.status}`);
    for (const op of missing) console.log(`NO CASE for ${op} of the OpenAPI document`);
    const ops = new Set(matrix.cases.map((c) => c.op)).size;
    console.log(`matrix: ${matrix.cases.length} cases (${ops} operations and static paths) × anonymous and ${roles.length} roles` +
      ` (token and session) = ${results.length} calls: ${leaks.length} leaks, ${over.length} over-denials, ` +
      `${errors.length} server errors, ${missing.length} operations without a case`);
    process.exitCode = leaks.length || over.length || errors.length || missing.length ? 1 : 0;
  } finally {
    server.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.stack || e.message);
  process.exit(1);
});
