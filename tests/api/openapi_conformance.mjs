// The OpenAPI document of the HTTP API (src/server/openapi.json, served at /api/v1/openapi.json)
// against the running server: for every path × method × documented status, real requests whose
// JSON bodies are validated with ajv against the documented schemas (and CSV/XLSX media types,
// documented headers, ETag/304); every parameter enum and example, and every request-body example,
// is accepted; other methods on documented paths are 405 and undocumented paths 404. A 501 (an
// endpoint not landed yet) is a failure like any other.
//
//   node tests/api/openapi_conformance.mjs [--url http://HOST:PORT] [--doc-from-source]
//
// --doc-from-source (or GPSI_OPENAPI_FROM_SOURCE=1) checks the server against the source file
// rather than the document it serves (editing openapi.json without rebuilding; the check that
// both are the same then fails).
// Without --url it starts `gpsi --db DB serve --port 0` itself. Settings from the environment
// (tests/api/CMakeLists.txt sets them for CTest); the defaults let it run from the repository:
//   GPSI_BINARY     the gpsi CLI (default build/gpsi)
//   GPSI_DATA       the shared data folder (default ../shared/data)
//   GPSI_METHOD     the methodology file (default methods/gpsi.toml)
//   GPSI_WEB_DIR    the web/ package whose node_modules holds ajv and ajv-formats (default web)
//   GPSI_API_STORE  a folder holding s.db made by make_store.mjs (the CTest fixture); without it a
//                   store is made in a temporary folder
//   GPSI_OPENAPI    the document's source (default src/server/openapi.json)
//   GPSI_TEST_BACKEND  `postgres` serves a copy of the store in the test cluster ($GPSI_TEST_PG)
//                   as the application role (make_store.mjs onBackend); default `sqlite`
// Prints one line per check and closes with `N passed, N failed`; exits 1 if any failed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { kMemberPassword, makeMembers, makeStore, makeValidation, onBackend } from './make_store.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name, fallback) => process.env[name] || fallback;
const paths = {
  binary: env('GPSI_BINARY', path.join(repo, 'build/gpsi')),
  data: env('GPSI_DATA', path.resolve(repo, '../shared/data')),
  method: env('GPSI_METHOD', path.join(repo, 'methods/gpsi.toml')),
  web: env('GPSI_WEB_DIR', path.join(repo, 'web')),
  doc: env('GPSI_OPENAPI', path.join(repo, 'src/server/openapi.json')),
};
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// ---- results ------------------------------------------------------------------------------------

const results = [];  // {group, name, ok, detail}
function check(group, name, ok, detail = '') {
  results.push({ group, name, ok: Boolean(ok), detail });
  console.log(`${ok ? 'ok' : 'not ok'} - [${group}] ${name}${ok || !detail ? '' : `: ${detail}`}`);
  return Boolean(ok);
}

// ---- HTTP ---------------------------------------------------------------------------------------

let base = '';

//! One request without any client magic (no default Accept-Encoding, no redirects): resolves to
//! {status, headers, raw, body (gunzipped when Content-Encoding says gzip), text}.
function request(method, url, { headers = {}, body = null } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url, base);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers,
      agent: false, timeout: 120_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let data = raw;
        if ((res.headers['content-encoding'] || '') === 'gzip') {
          try {
            data = zlib.gunzipSync(raw);
          } catch (e) {
            return reject(new Error(`${method} ${url}: bad gzip body: ${e.message}`));
          }
        }
        resolve({ status: res.statusCode, headers: res.headers, raw, body: data, text: data.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

const shortBody = (r) => r.text.slice(0, 200).replace(/\s+/g, ' ');
const mediaType = (r) => (r.headers['content-type'] || '').split(';')[0].trim().toLowerCase();

// ---- the server ---------------------------------------------------------------------------------

function startServer(db, extra = []) {
  return new Promise((resolve, reject) => {
    const args = ['--db', db, 'serve', '--port', '0', '--method', paths.method, ...extra];
    const proc = spawn(paths.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GPSI_DB: '' } });
    let out = '', err = '';
    const timer = setTimeout(() => fail(new Error('gpsi serve printed no serving line in 300 s')), 300_000);
    function fail(e) {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${e.message}\n${err.slice(-2000)}`));
    }
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /serving (http:\/\/[^\s]+)\s*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    });
    proc.stderr.on('data', (c) => { err = (err + c).slice(-100_000); });
    proc.on('error', fail);
    proc.on('exit', (code, sig) => fail(new Error(`gpsi serve ended (exit ${code}, signal ${sig}) before serving`)));
  });
}

// ---- the document ---------------------------------------------------------------------------------

//! The value at a local JSON pointer (`#/a/b~1c`) of the document.
function pointer(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`not a local $ref: ${ref}`);
  let v = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object' || !(key in v)) throw new Error(`unresolved $ref ${ref}`);
    v = v[key];
  }
  return v;
}
const deref = (doc, v) => (v && typeof v === 'object' && typeof v.$ref === 'string' ? deref(doc, pointer(doc, v.$ref)) : v);

//! Every $ref in the document.
function refs(v, out = []) {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

const SCHEMA_BASE = 'https://gpsi.invalid/openapi/schemas/';

//! ajv with the document's component schemas added under SCHEMA_BASE; OpenAPI 3.0's `nullable`
//! is ajv's own, its `example` an annotation.
function makeAjv(doc) {
  const require = createRequire(path.join(paths.web, 'package.json'));
  const Ajv = require('ajv').default;
  const addFormats = require('ajv-formats').default;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addKeyword({ keyword: 'example' });
  const rewrite = (v) => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', SCHEMA_BASE) : rewrite(x);
    }
    return o;
  };
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) {
    ajv.addSchema({ ...rewrite(s), $id: SCHEMA_BASE + name });
  }
  const cache = new Map();
  //! A validator of a schema of the document (inline or $ref), compiled once.
  ajv.gpsiCompile = (schema) => {
    const key = JSON.stringify(schema);
    if (!cache.has(key)) cache.set(key, ajv.compile(rewrite(schema)));
    return cache.get(key);
  };
  return ajv;
}

const errorsText = (v) => (v.errors || []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`).join('; ');

// ---- the checks -------------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

//! The documented operations: [{key:'GET /p', method, path, op}].
function operations(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) ops.push({ key: `${m.toUpperCase()} ${p}`, method: m.toUpperCase(), path: p, op: item[m], item });
  }
  return ops;
}

//! Checks one answer against the documented response of its operation and status: media type,
//! body schema (JSON), CSV header line (when the document gives an example), XLSX signature,
//! required headers and their schemas. Returns true when it conforms.
function conforms(ctx, opKey, what, r, expected, url = '') {
  const { doc, ajv, byKey } = ctx;
  const o = byKey.get(opKey);
  const group = opKey;
  if (r.status !== expected) {
    const hint = r.status === 501 ? ' (not implemented yet)' : '';
    return check(group, `${what} → ${expected}`, false, `got ${r.status}${hint}: ${shortBody(r)}`);
  }
  let resp = o.op.responses[String(expected)];
  if (!resp && expected === 405) resp = doc.components.responses.MethodNotAllowed;
  if (!resp && expected === 404) resp = doc.components.responses.NotFound;
  if (!resp) return check(group, `${what} → ${expected}`, false, `status ${expected} is not documented for ${opKey}`);
  resp = deref(doc, resp);
  const problems = [];
  for (const [name, h0] of Object.entries(resp.headers ?? {})) {
    const h = deref(doc, h0);
    // Node gives Set-Cookie as an array (it may repeat); gpsi sends one.
    const raw = r.headers[name.toLowerCase()];
    const value = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (value === undefined) {
      if (h.required) problems.push(`header ${name} missing`);
      continue;
    }
    const v = ajv.gpsiCompile(h.schema ?? {});
    if (!v(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${errorsText(v)}`);
  }
  if (!resp.content) {
    if (r.body.length !== 0) problems.push(`a body where none is documented (${r.body.length} bytes)`);
  } else {
    const media = mediaType(r);
    const c = resp.content[media];
    if (!c) {
      problems.push(`Content-Type ${JSON.stringify(r.headers['content-type'])} is not one of ${Object.keys(resp.content).join(', ')}`);
    } else if (media === 'application/json') {
      let body;
      try {
        body = JSON.parse(r.text);
      } catch (e) {
        problems.push(`body is not JSON: ${e.message}`);
      }
      if (body !== undefined && c.schema) {
        const v = ajv.gpsiCompile(c.schema);
        if (!v(body)) problems.push(`body: ${errorsText(v)}`);
      }
    } else if (media === 'text/csv') {
      if (!r.text.endsWith('\n')) problems.push('CSV does not end with a line break');
      const header = r.text.split('\n')[0];
      if (!header) problems.push('CSV without a header line');
      // The header line: the example, or (one path, several tables) the example named as the
      // request's last path segment.
      const segment = url ? decodeURIComponent(new URL(url, base).pathname.split('/').pop()) : '';
      let example = typeof c.example === 'string' ? c.example : undefined;
      if (c.examples) {
        if (c.examples[segment]) example = deref(doc, c.examples[segment]).value;
        else problems.push(`no CSV example named ${JSON.stringify(segment)}`);
      }
      if (typeof example === 'string' && header !== example.split('\n')[0]) {
        problems.push(`CSV header ${JSON.stringify(header)} is not the documented ${JSON.stringify(example.split('\n')[0])}`);
      }
    } else if (media === XLSX) {
      if (r.body.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') problems.push('XLSX body is not a ZIP file');
    }
  }
  return check(group, `${what} → ${expected}`, problems.length === 0, problems.join('; '));
}

async function run() {
  const args = process.argv.slice(2);
  const urlArg = args.indexOf('--url') >= 0 ? args[args.indexOf('--url') + 1] : '';
  let server = null;
  let db = '';
  let tokens = null;  // API tokens by login (make_store.mjs makeMembers); none against --url
  if (urlArg) {
    base = urlArg.replace(/\/$/, '');
  } else {
    if (process.env.GPSI_API_STORE) {
      db = path.join(process.env.GPSI_API_STORE, 's.db');
      if (!fs.existsSync(db)) throw new Error(`no store at ${db}: the api.store fixture did not run or failed`);
    } else {
      db = makeStore(fs.mkdtempSync(path.join(os.tmpdir(), 'gpsi-api-')), paths);
    }
    const validation = path.join(path.dirname(db), 'validation');
    if (!fs.existsSync(path.join(validation, 'validation.json'))) makeValidation(db, paths);
    const tokenFile = path.join(path.dirname(db), 'tokens.json');
    tokens = fs.existsSync(tokenFile) ? JSON.parse(fs.readFileSync(tokenFile, 'utf8')) : makeMembers(db, paths);
    server = await startServer(onBackend(db, fs.mkdtempSync(path.join(os.tmpdir(), 'gpsi-api-pg-')), paths),
      ['--validation', validation, '--risk-method', path.join(repo, 'methods/risk.toml')]);
    base = server.url;
    process.on('exit', () => server.proc.kill('SIGKILL'));
  }
  console.log(`# server ${base}`);

  // ---- the document: served, and as in the source tree ----
  const source = JSON.parse(fs.readFileSync(paths.doc, 'utf8'));
  const served = await request('GET', '/api/v1/openapi.json');
  let doc = source;
  let servedDoc = null;
  try {
    servedDoc = served.status === 200 ? JSON.parse(served.text) : null;
  } catch {
    servedDoc = null;
  }
  const health = await request('GET', '/api/v1/health');
  const engine = health.status === 200 ? JSON.parse(health.text).engine : '';
  const fromSource = args.includes('--doc-from-source') || process.env.GPSI_OPENAPI_FROM_SOURCE === '1';
  if (check('document', 'GET /api/v1/openapi.json serves the document as JSON', servedDoc !== null, `got ${served.status}: ${shortBody(served)}`)) {
    if (!fromSource) doc = servedDoc;
    check('document', 'info.version is the engine version of /api/v1/health', engine && servedDoc.info?.version === engine,
      `${servedDoc.info?.version} vs ${engine}`);
    const a = structuredClone(servedDoc), b = structuredClone(source);
    delete a.info.version;
    delete b.info.version;
    check('document', 'the served document is src/server/openapi.json (but info.version)', isDeepStrictEqual(a, b),
      'rebuild gpsi after editing openapi.json');
  }
  check('document', 'declares OpenAPI 3.0.x', /^3\.0\.\d+$/.test(doc.openapi ?? ''), doc.openapi);
  const unresolved = refs(doc).filter((r) => { try { pointer(doc, r); return false; } catch { return true; } });
  check('document', 'every $ref resolves', unresolved.length === 0, unresolved.join(', '));
  const ops = operations(doc);
  const ids = ops.map((o) => o.op.operationId);
  check('document', 'every operation has a unique operationId', ids.every(Boolean) && new Set(ids).size === ids.length, ids.join(','));
  for (const o of ops) {
    const declared = new Set((o.op.parameters ?? []).map((p) => deref(doc, p)).filter((p) => p.in === 'path').map((p) => p.name));
    const inPath = new Set([...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    check('document', `${o.key}: path parameters declared`, isDeepStrictEqual(declared, inPath), `${[...declared]} vs ${[...inPath]}`);
  }
  let ajv;
  try {
    ajv = makeAjv(doc);
    for (const o of ops) {
      for (const resp of Object.values(o.op.responses)) {
        for (const c of Object.values(deref(doc, resp).content ?? {})) if (c.schema) ajv.gpsiCompile(c.schema);
      }
      for (const c of Object.values(o.op.requestBody?.content ?? {})) if (c.schema) ajv.gpsiCompile(c.schema);
    }
    check('document', 'every schema compiles with ajv (strict)', true);
  } catch (e) {
    check('document', 'every schema compiles with ajv (strict)', false, e.message);
    throw e;
  }
  const byKey = new Map(ops.map((o) => [o.key, o]));
  const ctx = { doc, ajv, byKey };

  // Values from the server itself (the implemented /scores and /units): the latest and first year,
  // and six units.
  const scores = await request('GET', '/api/v1/scores');
  const latest = scores.status === 200 ? JSON.parse(scores.text).year : 2023;
  const unitsRes = await request('GET', '/api/v1/units');
  const unitCodes = unitsRes.status === 200 ? JSON.parse(unitsRes.text).units.map((u) => u.code) : [];
  const six = unitCodes.slice(0, 6).join(',');

  // ---- every path × method × documented status ----
  const G = 'GET', POST = 'POST';
  const json = { 'content-type': 'application/json' };
  const cases = [
    [G, '/api/v1/health', '/api/v1/health', 200],
    [G, '/api/v1/meta', '/api/v1/meta', 200],
    [G, '/api/v1/meta', '/api/v1/meta?bogus=1', 400],
    [G, '/api/v1/runs', '/api/v1/runs', 200],
    [G, '/api/v1/runs', '/api/v1/runs?format=csv', 200],
    [G, '/api/v1/runs', '/api/v1/runs?format=xml', 400],
    [G, '/api/v1/runs', '/api/v1/runs?x=1', 400],
    [G, '/api/v1/scores', '/api/v1/scores', 200],
    [G, '/api/v1/scores', `/api/v1/scores?year=${latest}&code=crime&region=Europe&format=json`, 200],
    [G, '/api/v1/scores', '/api/v1/scores?format=csv', 200],
    [G, '/api/v1/scores', '/api/v1/scores?year=abc', 400],
    [G, '/api/v1/scores', '/api/v1/scores?year=1800', 400],
    [G, '/api/v1/scores', '/api/v1/scores?code=NOPE', 400],
    [G, '/api/v1/scores', '/api/v1/scores?region=Atlantis', 400],
    [G, '/api/v1/scores', '/api/v1/scores?format=xml', 400],
    [G, '/api/v1/scores', '/api/v1/scores?code=crime&code=road', 400],
    [G, '/api/v1/scores', '/api/v1/scores?bogus=1', 400],
    [G, '/api/v1/units', '/api/v1/units', 200],
    [G, '/api/v1/units', '/api/v1/units?format=csv', 200],
    [G, '/api/v1/units', '/api/v1/units?format=xml', 400],
    [G, '/api/v1/units', '/api/v1/units?bogus=1', 400],
    [G, '/api/v1/units/{iso3}', '/api/v1/units/CHN', 200],
    [G, '/api/v1/units/{iso3}', '/api/v1/units/ZZZ', 404],
    [G, '/api/v1/units/{iso3}', '/api/v1/units/CHN?bogus=1', 400],
    [G, '/api/v1/compare', '/api/v1/compare?units=CHN,USA,DEU', 200],
    [G, '/api/v1/compare', `/api/v1/compare?units=CHN,USA&year=${latest}`, 200],
    [G, '/api/v1/compare', '/api/v1/compare?units=CHN,USA&format=csv', 200],
    [G, '/api/v1/compare', '/api/v1/compare', 400],
    [G, '/api/v1/compare', '/api/v1/compare?units=', 400],
    [G, '/api/v1/compare', `/api/v1/compare?units=${six}`, 400],
    [G, '/api/v1/compare', '/api/v1/compare?units=CHN,chn', 400],
    [G, '/api/v1/compare', '/api/v1/compare?units=CHN&year=abc', 400],
    [G, '/api/v1/compare', '/api/v1/compare?units=CHN&bogus=1', 400],
    [POST, '/api/v1/whatif', '{}', 200],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { crime: 2, cyber: 0.5 }, year: latest }), 200],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { nope: 1 } }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { crime: -1 } }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { crime: 'x' } }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { GPSI: 1 } }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ year: 1800 }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ code: 'NOPE' }), 400],
    [POST, '/api/v1/whatif', JSON.stringify({ weight: { crime: 1 } }), 400],
    [POST, '/api/v1/whatif', '[1,2]', 400],
    [POST, '/api/v1/whatif', '{"weights":', 400],
    [POST, '/api/v1/whatif', JSON.stringify({ weights: { crime: 1 }, pad: 'x'.repeat(70 * 1024) }), 413],
    [G, '/api/v1/download/{table}', '/api/v1/download/scores', 200],
    [G, '/api/v1/download/{table}', '/api/v1/download/nope', 404],
    [G, '/api/v1/download/{table}', '/api/v1/download/scores?format=pdf', 400],
    [G, '/api/v1/download/{table}', '/api/v1/download/scores?bogus=1', 400],
    [G, '/api/v1/reports/{lang}', '/api/v1/reports/en', 200],
    [G, '/api/v1/reports/{lang}', '/api/v1/reports/fr', 404],
    [G, '/api/v1/reports/{lang}', '/api/v1/reports/zh?bogus=1', 400],
    [G, '/api/v1/reports/{lang}/profiles/{iso3}', '/api/v1/reports/zh/profiles/chn', 200],
    [G, '/api/v1/reports/{lang}/profiles/{iso3}', '/api/v1/reports/en/profiles/ZZZ', 404],
    [G, '/api/v1/reports/{lang}/profiles/{iso3}', '/api/v1/reports/en/profiles/CHN?bogus=1', 400],
    [G, '/api/v1/risk/countries', '/api/v1/risk/countries', 200],
    [G, '/api/v1/risk/countries', '/api/v1/risk/countries?bogus=1', 400],
    [G, '/api/v1/risk/countries/{iso3}', '/api/v1/risk/countries/KEN', 200],
    [G, '/api/v1/risk/countries/{iso3}', '/api/v1/risk/countries/afg', 200],
    [G, '/api/v1/risk/countries/{iso3}', '/api/v1/risk/countries/ZZZ', 404],
    [G, '/api/v1/risk/countries/{iso3}', '/api/v1/risk/countries/KEN?bogus=1', 400],
    [G, '/api/v1/validation', '/api/v1/validation', 200],
    [G, '/api/v1/validation', '/api/v1/validation?bogus=1', 400],
    [G, '/api/v1/forecasts', '/api/v1/forecasts', 200],
    [G, '/api/v1/forecasts', `/api/v1/forecasts?unit=CHN&code=GPSI&year=${latest + 1}`, 200],
    [G, '/api/v1/forecasts', '/api/v1/forecasts?unit=chn&format=csv', 200],
    [G, '/api/v1/forecasts', '/api/v1/forecasts?unit=ZZZ', 400],
    [G, '/api/v1/forecasts', '/api/v1/forecasts?code=NOPE', 400],
    [G, '/api/v1/forecasts', `/api/v1/forecasts?year=${latest}`, 400],
    [G, '/api/v1/forecasts', '/api/v1/forecasts?bogus=1', 400],
    [G, '/api/v1/warnings', '/api/v1/warnings', 200],
    [G, '/api/v1/warnings', '/api/v1/warnings?severity=high&rule=threshold', 200],
    [G, '/api/v1/warnings', '/api/v1/warnings?format=csv', 200],
    [G, '/api/v1/warnings', '/api/v1/warnings?severity=urgent', 400],
    [G, '/api/v1/warnings', '/api/v1/warnings?unit=ZZZ', 400],
    [G, '/api/v1/warnings', '/api/v1/warnings?bogus=1', 400],
    [G, '/api/v1/openapi.json', '/api/v1/openapi.json', 200],
    [G, '/api/v1/openapi.json', '/api/v1/openapi.json?bogus=1', 400],
  ];
  for (const table of ['scores', 'indicators', 'intervals', 'units', 'sources', 'weights']) {
    for (const f of ['csv', 'xlsx']) cases.push([G, '/api/v1/download/{table}', `/api/v1/download/${table}?format=${f}`, 200]);
  }

  const covered = new Set();  // 'GET /p 200'
  const etagged = new Set();  // operations whose 304 was tried
  for (const [method, p, arg, status] of cases) {
    const key = `${method} ${p}`;
    if (!byKey.has(key)) {
      check(key, 'is documented', false, 'the test has a case for an operation the document lacks');
      continue;
    }
    const url = method === POST ? p : arg;
    const r = method === POST ? await request(POST, p, { headers: json, body: arg }) : await request(method, url);
    const what = method === POST ? `POST ${arg.length > 120 ? `${arg.slice(0, 60)}… (${arg.length} bytes)` : arg}` : `${method} ${url}`;
    if (conforms(ctx, key, what, r, status, url)) covered.add(`${key} ${status}`);
    if (method === POST && status === 200 && arg.length < 1000) {
      const v = ajv.gpsiCompile(byKey.get(key).op.requestBody.content['application/json'].schema);
      check(key, `request ${arg} is valid against the documented request schema`, v(JSON.parse(arg)), errorsText(v));
    }
    // Conditional GET: the 200 answer's ETag gives 304 with no body.
    if (method === G && status === 200 && r.status === 200 && !etagged.has(key) && byKey.get(key).op.responses['304']) {
      etagged.add(key);
      const etag = r.headers.etag;
      if (!etag) {
        check(key, `GET ${url} with If-None-Match → 304`, false, 'the 200 answer had no ETag');
      } else {
        const r2 = await request(G, url, { headers: { 'If-None-Match': etag } });
        if (conforms(ctx, key, `GET ${url} with If-None-Match: ${etag}`, r2, 304, url)) {
          covered.add(`${key} 304`);
          check(key, 'the 304 carries the same ETag', r2.headers.etag === etag, `${r2.headers.etag} vs ${etag}`);
        }
        const r3 = await request(G, url, { headers: { 'If-None-Match': '"0000"' } });
        check(key, `GET ${url} with a stale If-None-Match → 200`, r3.status === 200, `got ${r3.status}`);
      }
    }
    // Light cross-checks of what the schema cannot say.
    if (r.status === 200 && key === 'GET /api/v1/download/{table}') {
      const m = /download\/([a-z]+)(?:\?format=([a-z]+))?/.exec(url);
      const ext = m[2] || 'csv';
      check(key, `${url}: Content-Disposition names gpsi-${m[1]}.${ext} and the media type is ${ext}`,
        r.headers['content-disposition'] === `attachment; filename="gpsi-${m[1]}.${ext}"` && mediaType(r) === (ext === 'csv' ? 'text/csv' : XLSX),
        `${r.headers['content-disposition']} ${r.headers['content-type']}`);
    }
    if (r.status === 200 && key === 'GET /api/v1/compare' && mediaType(r) === 'application/json') {
      const asked = new URL(url, base).searchParams.get('units').split(',');
      const got = JSON.parse(r.text).units.map((u) => u.code);
      check(key, `${url}: the units in the order asked`, isDeepStrictEqual(got, asked), got.join(','));
    }
  }

  // A server started without --validation, --risk-method and with --forecast-draws 0 answers
  // /api/v1/validation, /api/v1/forecasts, /api/v1/warnings and /api/v1/risk/countries with 404.
  if (db) {
    const bare = await startServer(db, ['--intervals', '0', '--forecast-draws', '0']);
    const saved = base;
    base = bare.url;
    for (const p of ['/api/v1/validation', '/api/v1/forecasts', '/api/v1/warnings', '/api/v1/risk/countries']) {
      const key = `GET ${p}`;
      const r = await request(G, p);
      if (conforms(ctx, key, `GET ${p} of a server without --validation and with --forecast-draws 0`, r, 404, p)) {
        covered.add(`${key} 404`);
      }
    }
    // Project sheets are made and re-checked on the published risk sheets: none without them.
    if (tokens) {
      const P = '/api/v1/risk/projects';
      const r = await request(G, P, { headers: { Authorization: `Bearer ${tokens.sam}` } });
      if (conforms(ctx, `GET ${P}`, `GET ${P} of a server without --risk-method`, r, 404, P)) covered.add(`GET ${P} 404`);
    }
    base = saved;
    bare.proc.kill('SIGKILL');
  }

  // The member endpoints, on a journey of one submission with the members' tokens.
  if (tokens) await memberJourney(ctx, tokens, covered);
  // The dashboard's session: login, its cookie and CSRF token, logout, the throttle (last: it
  // leaves this client throttled for a minute).
  if (tokens) await sessionJourney(ctx, covered);
  if (tokens) await adminJourney(ctx, tokens, covered);
  if (tokens) await campaignJourney(ctx, tokens, covered);
  if (tokens) await riskProjectJourney(ctx, tokens, covered);

  // Every documented status has been exercised (the 'default' response stands for server failures).
  for (const o of ops) {
    for (const s of Object.keys(o.op.responses)) {
      if (s === 'default') continue;
      check(o.key, `documented status ${s} is exercised and conforms`, covered.has(`${o.key} ${s}`));
    }
  }

  // ---- every parameter enum and example, and every request-body example, is accepted ----
  // (The member endpoints change what they act on, and answer only with a token: memberJourney.)
  for (const o of ops.filter((x) => !x.op.security)) {
    const params = (o.op.parameters ?? []).map((p) => deref(doc, p)).filter((p) => p.in === 'query' || p.in === 'path');
    const exampleOf = (p) => (p.example !== undefined ? p.example : p.examples ? deref(doc, Object.values(p.examples)[0]).value
      : p.schema?.enum ? p.schema.enum[0] : undefined);
    const urlWith = (over) => {
      let u = o.path;
      const q = new URLSearchParams();
      for (const p of params) {
        const v = p.name in over ? over[p.name] : p.in === 'path' || p.required ? exampleOf(p) : undefined;
        if (v === undefined) continue;
        if (p.in === 'path') u = u.replace(`{${p.name}}`, encodeURIComponent(String(v)));
        else q.set(p.name, String(v));
      }
      const qs = q.toString().replace(/%2C/g, ',');
      return qs ? `${u}?${qs}` : u;
    };
    for (const p of params) {
      if ((p.in === 'path' || p.required) && exampleOf(p) === undefined) {
        check(o.key, `parameter ${p.name} has an example or enum (needed to call it)`, false);
        continue;
      }
      const values = new Set();
      if (p.schema?.enum) p.schema.enum.forEach((v) => values.add(v));
      if (p.example !== undefined) values.add(p.example);
      for (const e of Object.values(p.examples ?? {})) values.add(deref(doc, e).value);
      for (const v of values) {
        const vs = ajv.gpsiCompile(p.schema ?? {});
        const typed = p.schema?.type === 'integer' ? Number(v) : v;
        check(o.key, `example ${p.name}=${v} is valid against its schema`, vs(typed), errorsText(vs));
        const url = urlWith({ [p.name]: v });
        const r = await request(o.method, url);
        conforms(ctx, o.key, `documented value ${p.name}=${v} is accepted: GET ${url}`, r, 200, url);
      }
    }
    for (const c of Object.values(o.op.requestBody?.content ?? {})) {
      const examples = Object.entries(c.examples ?? {}).map(([k, e]) => [k, deref(doc, e).value]);
      if (c.example !== undefined) examples.push(['example', c.example]);
      for (const [name, value] of examples) {
        const v = ajv.gpsiCompile(c.schema);
        check(o.key, `request example '${name}' is valid against the request schema`, v(value), errorsText(v));
        const r = await request(o.method, o.path, { headers: json, body: JSON.stringify(value) });
        conforms(ctx, o.key, `request example '${name}'`, r, 200, o.path);
      }
    }
    // An operation that documents 400 rejects an unknown parameter.
    if (o.method === G && o.op.responses['400']) {
      const url = urlWith({});
      const r = await request(G, url + (url.includes('?') ? '&' : '?') + 'undocumented_param=1');
      conforms(ctx, o.key, `GET ${url} with an undocumented parameter`, r, 400, url);
    }
  }

  // ---- the reverse: nothing answers but what is documented ----
  const probeMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  for (const [p, item] of Object.entries(doc.paths)) {
    const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    const allow = documented.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
    const concrete = p.replace('{iso3}', 'CHN').replace('{table}', 'scores').replace('{id}', '1')
      .replace('{action}', 'submit').replace('{flag}', '1');
    for (const m of probeMethods.filter((x) => !documented.includes(x))) {
      const r = await request(m, concrete, m === 'GET' ? {} : { headers: json, body: '{}' });
      const key = `${documented[0]} ${p}`;
      if (conforms(ctx, key, `${m} ${concrete} (not documented)`, r, 405, concrete)) {
        const got = (r.headers.allow || '').split(',').map((s) => s.trim()).sort();
        check(key, `${m} ${concrete}: Allow lists the documented methods`, isDeepStrictEqual(got, [...allow].sort()), r.headers.allow);
      }
    }
  }
  for (const u of ['/api', '/api/v1', '/api/v1/', '/api/v2/health', '/api/v1/healthz', '/api/v1/HEALTH', '/api/v1/units/',
    '/api/v1/units/CHN/series', '/api/v1/download', '/api/v1/download/', '/api/v1/openapi.yaml', '/api/v1/whatif/x',
    '/api/v1/health/']) {
    const r = await request('GET', u);
    const ok = r.status === 404 && mediaType(r) === 'application/json';
    let body = null;
    try { body = JSON.parse(r.text); } catch { /* checked below */ }
    const v = ajv.gpsiCompile(doc.components.responses.NotFound.content['application/json'].schema);
    check('undocumented', `GET ${u} → 404 not-found`, ok && body !== null && v(body), `got ${r.status}: ${shortBody(r)}`);
  }
  {
    const r = await request('POST', '/api/v1/nothing', { headers: json, body: '{}' });
    check('undocumented', 'POST /api/v1/nothing → 404', r.status === 404, `got ${r.status}`);
  }

  // ---- transport promised by info.description ----
  {
    const plain = await request('GET', '/api/v1/openapi.json');
    const gz = await request('GET', '/api/v1/openapi.json', { headers: { 'Accept-Encoding': 'gzip' } });
    check('transport', 'a body over 1 KiB is gzip-compressed when Accept-Encoding allows it',
      gz.status === 200 && gz.headers['content-encoding'] === 'gzip' && gz.raw.length < gz.body.length,
      `status ${gz.status}, Content-Encoding ${gz.headers['content-encoding']}`);
    check('transport', 'the gzip body unpacks to the plain one', gz.text === plain.text);
    check('transport', 'no gzip without Accept-Encoding', !plain.headers['content-encoding'], plain.headers['content-encoding']);
    const head = await request('HEAD', '/api/v1/health');
    check('transport', 'HEAD (listed in Allow) answers 200 with no body', head.status === 200 && head.raw.length === 0, `got ${head.status}`);
  }

  if (server) {
    await stopServer(server.proc);
    // A build served without rank intervals: the nullable interval fields and meta.intervals null.
    const plain = await startServer(db, ['--intervals', '0']);
    process.on('exit', () => plain.proc.kill('SIGKILL'));
    base = plain.url;
    for (const [key, url] of [['GET /api/v1/meta', '/api/v1/meta'], ['GET /api/v1/scores', '/api/v1/scores'],
      ['GET /api/v1/units/{iso3}', '/api/v1/units/CHN'], ['GET /api/v1/compare', '/api/v1/compare?units=CHN,FRA']]) {
      const r = await request(G, url);
      if (conforms(ctx, key, `--intervals 0: GET ${url}`, r, 200, url) && key === 'GET /api/v1/meta') {
        check(key, '--intervals 0: meta.intervals is null', JSON.parse(r.text).intervals === null);
      }
    }
    await stopServer(plain.proc);
  }
}

//! The member endpoints (tag members) through one submission's review, each documented status
//! met: alice (the FBI's submitter) uploads a value 2 × UNODC's, so that validation flags it; bob
//! approves, sam (the secretariat) accepts and publishes; the refusals on the way.
async function memberJourney(ctx, tokens, covered) {
  const L = '/api/v1/submissions', I = `${L}/{id}`, A = `${L}/{id}/{action}`, F = `${L}/{id}/flags/{flag}`;
  const call = async (op, status, method, url, { who = '', body = null, type = '' } = {}) => {
    const headers = { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), ...(type ? { 'content-type': type } : {}) };
    const r = await request(method, url, { headers, body });
    const key = `${method} ${op}`;
    if (conforms(ctx, key, `${method} ${url}${who ? ` as ${who}` : ' without a token'}`, r, status, url)) {
      covered.add(`${key} ${status}`);
    }
    return r.status === status && r.text ? JSON.parse(r.text) : null;
  };
  const csv = 'text/csv', json = 'application/json';
  // A value of its own each run, so that a second run on the same store is not "stored already".
  const value = (10 + Math.random()).toFixed(6);
  const file = `unit,year,indicator,value\nUSA,2019,homicide_rate,${value}\nUSA,2018,homicide_rate,5.0\n`;
  await call(L, 401, 'GET', L);
  await call(L, 400, 'GET', `${L}?bogus=1`, { who: 'alice' });
  await call(L, 401, 'POST', `${L}?dataset=CRIME`, { body: file, type: csv });
  await call(L, 400, 'POST', L, { who: 'alice', body: file, type: csv });
  await call(L, 403, 'POST', `${L}?dataset=ROADS`, { who: 'alice', body: file, type: csv });
  await call(L, 422, 'POST', `${L}?dataset=CRIME`, { who: 'alice', body: 'country,when\nUSA,2019\n', type: csv });
  await call(L, 413, 'POST', `${L}?dataset=CRIME`, { body: 'x'.repeat(70 * 1024), type: csv });
  const up = await call(L, 201, 'POST', `${L}?dataset=CRIME&note=conformance`, { who: 'alice', body: file, type: csv });
  await call(L, 409, 'POST', `${L}?dataset=CRIME`, { who: 'alice', body: file, type: csv });
  if (!check(`POST ${L}`, 'the upload made a draft of 2 rows', up?.state === 'draft' && up?.rows === 2, JSON.stringify(up))) return;
  const id = up.id, at = (s) => s.replace('{id}', id);
  const list = await call(L, 200, 'GET', L, { who: 'alice' });
  check(`GET ${L}`, 'alice sees her draft', list?.submissions.some((x) => x.id === id));
  await call(I, 401, 'GET', at(I));
  await call(I, 400, 'GET', `${at(I)}?bogus=1`, { who: 'alice' });
  await call(I, 404, 'GET', `${L}/999999`, { who: 'alice' });
  await call(A, 401, 'POST', at(`${L}/{id}/submit`));
  await call(A, 404, 'POST', `${L}/999999/submit`, { who: 'alice' });
  await call(A, 400, 'POST', at(`${L}/{id}/submit`), { who: 'alice', body: '[1]', type: json });
  await call(A, 200, 'POST', at(`${L}/{id}/submit`), { who: 'alice' });
  await call(A, 409, 'POST', at(`${L}/{id}/submit`), { who: 'alice' });
  await call(A, 403, 'POST', at(`${L}/{id}/approve`), { who: 'alice' });
  const detail = await call(I, 200, 'GET', at(I), { who: 'bob' });
  const flag = detail?.flags.find((f) => f.year === 2019 && f.kind === 'un-difference');
  if (!check(`GET ${I}`, 'validation flagged the 2019 value against UNODC\'s', flag?.kind === 'un-difference', JSON.stringify(detail?.flags))) return;
  const fl = `${at(L + '/{id}')}/flags/${flag.flag}`;
  const text = JSON.stringify({ text: 'a test value of the API conformance run' });
  await call(F, 401, 'POST', fl, { body: text, type: json });
  await call(F, 403, 'POST', fl, { who: 'sam', body: text, type: json });
  await call(F, 404, 'POST', `${at(L + '/{id}')}/flags/999999`, { who: 'alice', body: text, type: json });
  await call(F, 400, 'POST', fl, { who: 'alice', body: '{}', type: json });
  await call(F, 200, 'POST', fl, { who: 'alice', body: text, type: json });
  for (const other of detail.flags.filter((f) => f.flag !== flag.flag)) {  // a series break too, say
    await call(F, 200, 'POST', `${at(L + '/{id}')}/flags/${other.flag}`, { who: 'alice', body: text, type: json });
  }
  for (const [who, step] of [['bob', 'approve'], ['sam', 'accept'], ['sam', 'publish']]) {
    const s = await call(A, 200, 'POST', at(`${L}/{id}/${step}`), { who });
    check(`POST ${A}`, `${step} by ${who}`, s !== null);
  }
  await call(F, 409, 'POST', fl, { who: 'alice', body: text, type: json });
}

//! /api/v1/session, each documented status met: alice (make_store.mjs gives her kMemberPassword)
//! logs in, reads her session, lists submissions with the cookie, is refused a POST without the
//! CSRF token, and logs out; then wrong logins of an unknown account until the client is throttled.
async function sessionJourney(ctx, covered) {
  const S = '/api/v1/session', L = '/api/v1/submissions';
  const call = async (op, status, method, url, { headers = {}, body = null } = {}) => {
    const r = await request(method, url, { headers, body });
    const key = `${method} ${op}`;
    if (conforms(ctx, key, `${method} ${url}${headers.Cookie ? ' with the session' : ''}`, r, status, url)) {
      covered.add(`${key} ${status}`);
    }
    return r;
  };
  const json = { 'content-type': 'application/json' };
  const login = (password, who = 'alice') => JSON.stringify({ login: who, password });
  await call(S, 400, 'POST', S, { headers: json, body: JSON.stringify({ login: 'alice' }) });
  await call(S, 401, 'POST', S, { headers: json, body: login('not alice\'s password') });
  const ok = await call(S, 200, 'POST', S, { headers: json, body: login(kMemberPassword) });
  if (!check(`POST ${S}`, 'alice is logged in', ok.status === 200)) return;
  const cookie = { Cookie: [].concat(ok.headers['set-cookie'])[0].split(';')[0] };
  const csrf = JSON.parse(ok.text).csrf;
  await call(S, 401, 'GET', S);
  await call(S, 400, 'GET', `${S}?bogus=1`, { headers: cookie });
  const again = await call(S, 200, 'GET', S, { headers: cookie });
  check(`GET ${S}`, 'the same CSRF token again', again.status === 200 && JSON.parse(again.text).csrf === csrf);
  await call(L, 200, 'GET', L, { headers: cookie });
  await call(L, 403, 'POST', `${L}?dataset=CRIME`, { headers: { ...cookie, 'content-type': 'text/csv' }, body: 'unit,year,indicator,value\n' });
  await call(S, 401, 'DELETE', S);
  await call(S, 400, 'DELETE', `${S}?bogus=1`, { headers: { ...cookie, 'X-CSRF-Token': csrf } });
  await call(S, 403, 'DELETE', S, { headers: cookie });
  await call(S, 200, 'DELETE', S, { headers: { ...cookie, 'X-CSRF-Token': csrf } });
  await call(S, 401, 'GET', S, { headers: cookie });
  // An unknown account: no one is locked out by the throttle's test.
  for (let i = 0; i < 20; ++i) {
    const r = await request('POST', S, { headers: json, body: login('a wrong password', 'nobody') });
    if (r.status === 429) {
      await call(S, 429, 'POST', S, { headers: json, body: login('a wrong password', 'nobody') });
      return;
    }
  }
  check(`POST ${S}`, 'one client\'s logins are throttled', false, '20 attempts were not refused 429');
}

//! /api/v1/admin, each documented status met: root (the forum's administrator) adds an
//! organisation, an account and a token, changes and revokes them; alice (a member's submitter)
//! and no one are refused; names of their own each run, so that a second run is not "taken".
async function adminJourney(ctx, tokens, covered) {
  const O = '/api/v1/admin/orgs', U = '/api/v1/admin/users', T = '/api/v1/admin/tokens';
  const call = async (op, status, method, url, { who = '', body = null } = {}) => {
    const headers = { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), ...(body !== null ? { 'content-type': 'application/json' } : {}) };
    const r = await request(method, url, { headers, body: body === null ? null : JSON.stringify(body) });
    const key = `${method} ${op}`;
    if (conforms(ctx, key, `${method} ${url}${who ? ` as ${who}` : ' without a token'}`, r, status, url)) covered.add(`${key} ${status}`);
    return r.status === status && r.text ? JSON.parse(r.text) : null;
  };
  const tag = Math.random().toString(36).slice(2, 8);
  const org = { key: `c-${tag}`, kind: 'government', name_en: 'Conformance', countries: ['USA'], agreements: [{ dataset: 'CRIME', indicators: ['homicide_rate'] }] };
  for (const list of [O, U, T]) {
    await call(list, 401, 'GET', list);
    await call(list, 403, 'GET', list, { who: 'alice' });
    await call(list, 400, 'GET', `${list}?bogus=1`, { who: 'root' });
    await call(list, 200, 'GET', list, { who: 'root' });
  }
  await call(O, 401, 'POST', O, { body: org });
  await call(O, 403, 'POST', O, { who: 'alice', body: org });
  await call(O, 400, 'POST', O, { who: 'root', body: { ...org, key: 1 } });
  await call(O, 404, 'POST', O, { who: 'root', body: { ...org, countries: ['ZZZ'] } });
  const made = await call(O, 201, 'POST', O, { who: 'root', body: org });
  check(`POST ${O}`, 'a government agency has tier 2', made?.tier === 2, JSON.stringify(made));
  await call(O, 409, 'POST', O, { who: 'root', body: org });
  const OK = `${O}/{key}`, ok = `${O}/${org.key}`;
  await call(OK, 401, 'POST', ok, { body: { tier: 3 } });
  await call(OK, 403, 'POST', ok, { who: 'alice', body: { tier: 3 } });
  await call(OK, 400, 'POST', ok, { who: 'root', body: { tier: 'three' } });
  await call(OK, 404, 'POST', `${O}/no-such-org`, { who: 'root', body: { tier: 3 } });
  await call(OK, 200, 'POST', ok, { who: 'root', body: { tier: 3 } });

  const user = { login: `u-${tag}`, org: org.key, role: 'member-submitter', name: 'Conformance' };
  await call(U, 401, 'POST', U, { body: user });
  await call(U, 403, 'POST', U, { who: 'alice', body: user });
  await call(U, 400, 'POST', U, { who: 'root', body: { ...user, role: 'king' } });
  await call(U, 404, 'POST', U, { who: 'root', body: { ...user, org: 'no-such-org' } });
  await call(U, 201, 'POST', U, { who: 'root', body: user });
  await call(U, 409, 'POST', U, { who: 'root', body: user });
  const UL = `${U}/{login}`, ul = `${U}/${user.login}`;
  await call(UL, 401, 'POST', ul, { body: { name: 'X' } });
  await call(UL, 403, 'POST', ul, { who: 'alice', body: { name: 'X' } });
  await call(UL, 400, 'POST', ul, { who: 'root', body: { disabled: 'yes' } });
  await call(UL, 404, 'POST', `${U}/nobody`, { who: 'root', body: { name: 'X' } });
  await call(UL, 200, 'POST', ul, { who: 'root', body: { name: 'Conformance Run' } });

  const token = { login: user.login, scopes: ['read'], days: 1, label: 'conformance' };
  await call(T, 401, 'POST', T, { body: token });
  await call(T, 403, 'POST', T, { who: 'alice', body: token });
  await call(T, 400, 'POST', T, { who: 'root', body: { ...token, days: 'one' } });
  await call(T, 404, 'POST', T, { who: 'root', body: { ...token, login: 'nobody' } });
  const issued = await call(T, 201, 'POST', T, { who: 'root', body: token });
  if (!check(`POST ${T}`, 'the token\'s secret is shown once', /^gpsi_/.test(issued?.secret ?? ''))) return;
  const R = `${T}/{suffix}/revoke`, r = `${T}/${issued.suffix}/revoke`;
  await call(R, 401, 'POST', r);
  await call(R, 403, 'POST', r, { who: 'alice' });
  await call(R, 400, 'POST', `${r}?bogus=1`, { who: 'root' });
  await call(R, 404, 'POST', `${T}/zzzzzzzz/revoke`, { who: 'root' });
  await call(R, 200, 'POST', r, { who: 'root' });
  await call(R, 409, 'POST', r, { who: 'root' });
  // A disabled account gets no token.
  await call(UL, 200, 'POST', ul, { who: 'root', body: { disabled: true } });
  await call(T, 409, 'POST', T, { who: 'root', body: token });
}

//! /api/v1/campaigns, each documented status met: sam (the secretariat) creates a campaign from the
//! shipped rules, sets its entries (first ones the conflicts cannot assign), assigns, opens; three
//! judges (readers root adds) seal their sheets; sam closes and publishes; the public reads it.
async function campaignJourney(ctx, tokens, covered) {
  const C = '/api/v1/campaigns', K = `${C}/{key}`, A = `${C}/{key}/{action}`, H = `${C}/{key}/sheets/{application}`;
  const call = async (op, status, method, url, { who = '', body = null, bearer = '' } = {}) => {
    const token = bearer || (who ? tokens[who] : '');
    const headers = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== null ? { 'content-type': 'application/json' } : {}) };
    const r = await request(method, url, { headers, body: body === null ? null : typeof body === 'string' ? body : JSON.stringify(body) });
    const key = `${method} ${op}`;
    if (conforms(ctx, key, `${method} ${url}${who ? ` as ${who}` : token ? ' with a bad token' : ' without a token'}`, r, status, url)) {
      covered.add(`${key} ${status}`);
    }
    return r.status === status && r.text ? JSON.parse(r.text) : null;
  };
  const tag = Math.random().toString(36).slice(2, 8);
  const judges = [1, 2, 3].map((i) => `j${i}-${tag}`);
  for (const login of judges) {
    const u = await request('POST', '/api/v1/admin/users', { headers: { Authorization: `Bearer ${tokens.root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login, org: 'us-fbi', role: 'reader' }) });
    const t = await request('POST', '/api/v1/admin/tokens', { headers: { Authorization: `Bearer ${tokens.root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login, days: 1, label: 'conformance' }) });
    if (!check(`POST ${H}`, `judge ${login} has a token`, u.status === 201 && t.status === 201, `${u.status} ${t.status}`)) return;
    tokens[login] = JSON.parse(t.text).secret;
  }
  const rules = fs.readFileSync(path.join(repo, 'methods/evaluation/overseas-practice.toml'), 'utf8');
  const key = `c-${tag}`, at = (s, extra = {}) => Object.entries({ key, ...extra }).reduce((u, [k, v]) => u.replace(`{${k}}`, v), s);
  await call(C, 200, 'GET', C);
  await call(C, 400, 'GET', `${C}?bogus=1`);
  await call(C, 401, 'GET', C, { bearer: 'gpsi_not-a-token' });
  await call(C, 401, 'POST', C, { body: { key, rules } });
  await call(C, 403, 'POST', C, { who: 'alice', body: { key, rules } });
  await call(C, 400, 'POST', C, { who: 'sam', body: { key, rules, extra: 1 } });
  await call(C, 422, 'POST', C, { who: 'sam', body: { key, rules: '[campaign]\ntitle_en = 1\n' } });
  const made = await call(C, 201, 'POST', C, { who: 'sam', body: { key, rules } });
  if (!check(`POST ${C}`, 'the campaign is at set-up', made?.state === 'setup', JSON.stringify(made)?.slice(0, 200))) return;
  await call(C, 409, 'POST', C, { who: 'sam', body: { key, rules } });
  await call(K, 200, 'GET', at(K), { who: 'sam' });
  await call(K, 400, 'GET', `${at(K)}?bogus=1`, { who: 'sam' });
  await call(K, 401, 'GET', at(K), { bearer: 'gpsi_not-a-token' });
  await call(K, 404, 'GET', at(K), { who: 'alice' });
  const apps = [{ code: 'A1', org: 'acme', country: 'KEN', project: 'Road', documents: ['a.pdf'] },
    { code: 'A2', org: 'beta', country: 'PAK', project: 'Port', documents: [] }];
  const entries = (org) => ({ applications: apps, judges: judges.map((login) => ({ login, org, country: '', declared: [] })) });
  const step = (action) => at(A, { action });
  await call(A, 401, 'POST', step('entries'), { body: entries('panel') });
  await call(A, 404, 'POST', `${C}/no-such-campaign/entries`, { who: 'sam', body: entries('panel') });
  await call(A, 400, 'POST', step('entries'), { who: 'sam', body: { applications: [{ code: 'A 1' }] } });
  // Every judge of A1's organisation: no three judges free of conflict, so no assignment.
  await call(A, 200, 'POST', step('entries'), { who: 'sam', body: entries('acme') });
  await call(A, 422, 'POST', step('assign'), { who: 'sam' });
  await call(A, 409, 'POST', step('open'), { who: 'sam' });
  const set = await call(A, 200, 'POST', step('entries'), { who: 'sam', body: entries('panel') });
  check(`POST ${A}`, 'the entries are set', set?.applications.length === 2 && set?.judges.length === 3, JSON.stringify(set)?.slice(0, 200));
  await call(A, 403, 'POST', step('entries'), { who: judges[0], body: entries('panel') });
  await call(A, 200, 'POST', step('assign'), { who: 'sam' });
  // A judge's own declaration in set-up: they see the applications, and a conflict with one they were
  // assigned drops the assignment (A2 then lacks three free judges); withdrawing it, sam assigns again.
  const seen = await call(K, 200, 'GET', at(K), { who: judges[0] });
  check(`GET ${K}`, 'a judge sees the applications in set-up, to declare', seen?.seat === 'judge' && seen?.applications.length === 2);
  await call(A, 400, 'POST', step('conflicts'), { who: judges[0], body: { applications: ['A9'] } });
  await call(A, 403, 'POST', step('conflicts'), { who: 'sam', body: { applications: [] } });
  const declared = await call(A, 200, 'POST', step('conflicts'), { who: judges[0], body: { applications: ['A2'] } });
  check(`POST ${A}`, 'a declaration meeting the assignment drops it',
    declared?.judges[0]?.declared?.[0] === 'A2' && declared?.applications.length === 1, JSON.stringify(declared)?.slice(0, 300));
  await call(A, 422, 'POST', step('assign'), { who: 'sam' });
  await call(A, 200, 'POST', step('conflicts'), { who: judges[0], body: { applications: [] } });
  await call(A, 200, 'POST', step('assign'), { who: 'sam' });
  const sheet = at(H, { application: 'A1' }), scores = { scores: [3.5, 4, 3, 4], comment: 'conformance' };
  await call(H, 409, 'POST', sheet, { who: judges[0], body: scores });
  const open = await call(A, 200, 'POST', step('open'), { who: 'sam' });
  check(`POST ${A}`, 'open fixes the rules hash', /^[0-9a-f]{64}$/.test(open?.rules_sha256 ?? ''));
  await call(A, 403, 'POST', step('close'), { who: judges[0] });
  await call(A, 409, 'POST', step('conflicts'), { who: judges[0], body: { applications: ['A1'] } });
  await call(H, 401, 'POST', sheet, { body: scores });
  await call(H, 403, 'POST', sheet, { who: 'sam', body: scores });
  await call(H, 404, 'POST', sheet.replace(key, 'no-such-campaign'), { who: judges[0], body: scores });
  await call(H, 400, 'POST', sheet, { who: judges[0], body: { scores: 'high' } });
  await call(H, 422, 'POST', sheet, { who: judges[0], body: { scores: [3.5, 4, 3, 4.2] } });
  for (const [j, login] of judges.entries()) {
    for (const [a, app] of ['A1', 'A2'].entries()) {
      const given = { ...scores, scores: scores.scores.map((x, c) => Math.min(5, x + 0.5 * ((j + a + c) % 3))) };
      await call(H, 201, 'POST', at(H, { application: app }), { who: login, body: given });
    }
  }
  const closed = await call(A, 200, 'POST', step('close'), { who: 'sam' });
  check(`POST ${A}`, 'close computes the results', closed?.results?.methods?.length === 4, JSON.stringify(closed?.results)?.slice(0, 200));
  await call(A, 200, 'POST', step('publish'), { who: 'sam' });
  const pub = await call(K, 200, 'GET', at(K));
  check(`GET ${K}`, 'the public sees the published campaign, no sheet', pub?.seat === 'public' && pub?.sheets.length === 0);
}

//! /api/v1/risk/projects, each documented status met: root adds an enterprise and its submitter;
//! the submitter has a project assessed twice (two revisions), reads its sheet as JSON, HTML (zh)
//! and PDF; another enterprise's account and a police member are refused or see nothing; the
//! secretariat sees it.
async function riskProjectJourney(ctx, tokens, covered) {
  const P = '/api/v1/risk/projects', I = `${P}/{id}`;
  const call = async (op, status, method, url, { who = '', body = null, type = 'application/json' } = {}) => {
    const headers = { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), ...(body !== null ? { 'content-type': type } : {}) };
    const r = await request(method, url, { headers, body: body === null ? null : typeof body === 'string' ? body : JSON.stringify(body) });
    const key = `${method} ${op}`;
    if (conforms(ctx, key, `${method} ${url}${who ? ` as ${who}` : ' without a token'}`, r, status, url)) covered.add(`${key} ${status}`);
    return r;
  };
  const tag = Math.random().toString(36).slice(2, 8);
  const admin = async (url, body) => {
    const r = await request('POST', url, { headers: { Authorization: `Bearer ${tokens.root}`, 'content-type': 'application/json' },
      body: JSON.stringify(body) });
    return r.status === 201 ? JSON.parse(r.text) : null;
  };
  const firms = [`cn-roads-${tag}`, `cn-power-${tag}`];
  for (const [i, key] of firms.entries()) {
    const login = `firm${i}-${tag}`;
    const made = await admin('/api/v1/admin/orgs', { key, kind: 'enterprise', name_en: `Enterprise ${key}` }) &&
      await admin('/api/v1/admin/users', { login, org: key, role: 'member-submitter' });
    const t = made && await admin('/api/v1/admin/tokens', { login, days: 1, label: 'conformance' });
    if (!check(`POST ${P}`, `enterprise ${key} has a submitter with a token`, Boolean(t))) return;
    tokens[`firm${i}`] = t.secret;
  }
  const project = {
    project: { id: 'ke-road', enterprise: firms[0], name: 'Road upgrade', name_zh: '公路改扩建', type: 'transport', country: 'KEN',
      start: '2019-11-01', end: '2021-10-31', assessed: '2019-11-01' },
    site: { lat: -1.4561, lon: 36.9786, radius_km: 50 },
    staff: { national: 40, expatriate: 3 },
  };
  await call(P, 401, 'POST', P, { body: project });
  await call(P, 403, 'POST', P, { who: 'firm1', body: project });
  await call(P, 403, 'POST', P, { who: 'alice', body: project });
  await call(P, 400, 'POST', `${P}?bogus=1`, { who: 'firm0', body: project });
  await call(P, 422, 'POST', P, { who: 'firm0', body: { ...project, project: { ...project.project, country: 'Kenya' } } });
  await call(P, 404, 'POST', P, { who: 'firm0', body: { ...project, project: { ...project.project, country: 'ATA' } } });
  const toml = `[project]\nid = "ke-road"\nenterprise = "${firms[0]}"\nname = "Road"\ntype = "transport"\ncountry = "KEN"\n` +
    'start = 2019-11-01\nend = 2021-10-31\nassessed = 2019-11-01\n[site]\nlat = -1.4561\nlon = 36.9786\n';
  const first = await call(P, 201, 'POST', P, { who: 'firm0', body: toml, type: 'application/toml' });
  const second = await call(P, 201, 'POST', P, { who: 'firm0', body: project });
  if (!check(`POST ${P}`, 'a re-assessment is the next revision, at its Location', first.status === 201 && second.status === 201 &&
    JSON.parse(second.text).revision === JSON.parse(first.text).revision + 1 &&
    second.headers.location === `${P}/${JSON.parse(second.text).id}`, `${first.status} ${second.status} ${second.headers.location}`)) return;
  const kept = JSON.parse(second.text);
  check(`POST ${P}`, 'the sheet validity passed long ago: stale as of today', kept.stale === true && kept.sheet.stale === true &&
    kept.sheet.triggers.find((t) => t.kind === 'validity')?.fired === true, JSON.stringify(kept.sheet.triggers));
  const at = `${P}/${kept.id}`;
  await call(P, 401, 'GET', P);
  await call(P, 400, 'GET', `${P}?bogus=1`, { who: 'firm0' });
  const own = await call(P, 200, 'GET', P, { who: 'firm0' });
  const listed = own.status === 200 ? JSON.parse(own.text).projects : [];
  check(`GET ${P}`, 'the enterprise sees its project once, at its newest revision',
    listed.length === 1 && listed[0].id === kept.id && listed[0].revision === kept.revision, JSON.stringify(listed).slice(0, 300));
  const other = await call(P, 200, 'GET', P, { who: 'firm1' });
  check(`GET ${P}`, 'another enterprise sees none of it', other.status === 200 && JSON.parse(other.text).projects.length === 0);
  const forum = await call(P, 200, 'GET', P, { who: 'sam' });
  check(`GET ${P}`, 'the secretariat sees it', forum.status === 200 && JSON.parse(forum.text).projects.some((x) => x.id === kept.id));
  await call(I, 401, 'GET', at);
  await call(I, 400, 'GET', `${at}?bogus=1`, { who: 'firm0' });
  await call(I, 400, 'GET', `${at}?format=docx`, { who: 'firm0' });
  await call(I, 404, 'GET', at, { who: 'firm1' });
  await call(I, 404, 'GET', at, { who: 'alice' });
  await call(I, 404, 'GET', `${P}/999999`, { who: 'firm0' });
  const read = await call(I, 200, 'GET', at, { who: 'firm0' });
  check(`GET ${I}`, 'the kept sheet reads back as it was answered', read.status === 200 &&
    JSON.parse(read.text).sha256 === kept.sha256 && isDeepStrictEqual(JSON.parse(read.text).sheet, kept.sheet));
  const html = await call(I, 200, 'GET', `${at}?format=html&lang=zh`, { who: 'sam' });
  check(`GET ${I}`, 'the zh sheet as HTML', html.status === 200 && html.text.includes('公路改扩建') && html.text.includes('lang="zh'),
    shortBody(html));
  const pdf = await call(I, 200, 'GET', `${at}?format=pdf`, { who: 'firm0' });
  check(`GET ${I}`, 'the sheet as PDF', pdf.status === 200 && pdf.body.subarray(0, 5).toString('latin1') === '%PDF-', shortBody(pdf));
}

async function stopServer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const ended = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await ended;
  clearTimeout(t);
}

try {
  await run();
} catch (e) {
  check('harness', 'the run completed', false, e.stack || e.message);
}

// Per operation: passed and failed checks, and how many failures were 501 (not landed yet).
const groups = new Map();
for (const r of results) {
  const g = groups.get(r.group) ?? { pass: 0, fail: 0, not_impl: 0 };
  if (r.ok) g.pass++;
  else {
    g.fail++;
    if (/got 501/.test(r.detail)) g.not_impl++;
  }
  groups.set(r.group, g);
}
console.log('# summary by operation (failed checks answered with 501 = endpoint not landed)');
for (const [g, s] of groups) console.log(`#   ${g}: ${s.pass} passed, ${s.fail} failed${s.not_impl ? ` (${s.not_impl} with 501)` : ''}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
// Exit now: a run that failed half-way may leave a server running, whose pipes would keep Node
// alive until CTest's timeout (the 'exit' handler kills it).
process.exit(failed ? 1 : 0);
