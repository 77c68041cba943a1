// The browser tests' harness: a store made from the shared data with the CLI, `gpsi serve --web`
// on a free port, Debian's Chromium driven headless by playwright-core, and a screenshot per test.
//
// Settings come from the environment (tests/browser/CMakeLists.txt sets them for CTest); the
// defaults let `node --test tests/browser/` run from the repository with build/gpsi:
//   GPSI_BINARY          the gpsi CLI (default build/gpsi)
//   GPSI_DATA            the shared data folder (default ../shared/data)
//   GPSI_WEB_DIST        the built dashboard (default web/dist)
//   GPSI_WEB_DIR         the web/ package whose node_modules holds playwright-core (default web)
//   GPSI_METHOD          the methodology file (default methods/gpsi.toml)
//   GPSI_BROWSER_STORE   a folder holding s.db and validation/ made by make_store.mjs (the CTest
//                        fixture); without it each test file makes its own in a temporary folder
//   GPSI_ARTEFACTS       where screenshots and server logs go (default build/test-artefacts/browser)
//   GPSI_CHROMIUM        the browser (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, afterEach, before } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeMembers as makeMembersWith, makeStore as makeStoreWith, makeValidation as makeValidationWith, onBackend } from '../api/make_store.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name, fallback) => process.env[name] || fallback;
export const paths = {
  binary: env('GPSI_BINARY', path.join(repo, 'build/gpsi')),
  data: env('GPSI_DATA', path.resolve(repo, '../shared/data')),
  dist: env('GPSI_WEB_DIST', path.join(repo, 'web/dist')),
  web: env('GPSI_WEB_DIR', path.join(repo, 'web')),
  method: env('GPSI_METHOD', path.join(repo, 'methods/gpsi.toml')),
  artefacts: env('GPSI_ARTEFACTS', path.join(repo, 'build/test-artefacts/browser')),
  chromium: env('GPSI_CHROMIUM', '/usr/bin/chromium'),
};

// The flags of a quiet, self-contained headless run: no GPU, no network of the browser's own
// (updates, sync, QUIC probes), no first-run pages. playwright-core gives every launch a fresh
// temporary user-data-dir and removes it on close.
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

//! A store made from the shared data in DIR/s.db, as the e2e tests make theirs (tests/api/make_store.mjs).
export function makeStore(dir) {
  return makeStoreWith(dir, paths);
}

//! `gpsi validate` of the method over the store DB into <dir of DB>/validation (tests/api/make_store.mjs),
//! what `gpsi serve --validation` publishes at /api/v1/validation. Returns the folder.
export function makeValidation(db) {
  return makeValidationWith(db, paths);
}

//! The member platform's organisations and accounts in DB (tests/api/make_store.mjs): alice (the
//! FBI's submitter), bob (its approver), sam (the secretariat) and root (administrator), each with
//! the password kMemberPassword. Returns their API tokens by login.
export function makeMembers(db) {
  return makeMembersWith(db, paths);
}

//! The fixture's store, else a new one in a temporary folder (`temp`, removed after the suite).
//! With `prepare`, a copy of it that the suite may change, given to prepare(db) first, and served
//! from PostgreSQL when GPSI_TEST_BACKEND says so (tests/api/make_store.mjs onBackend).
function storePath(prepare) {
  const shared = process.env.GPSI_BROWSER_STORE;
  if (shared && prepare) {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpsi-browser-'));
    for (const f of ['s.db', 's.db-wal', 's.db.blobs', 'validation']) {
      if (fs.existsSync(path.join(shared, f))) fs.cpSync(path.join(shared, f), path.join(temp, f), { recursive: true });
    }
    const db = path.join(temp, 's.db');
    prepare(db);
    return { db: onBackend(db, temp, paths), validation: path.join(temp, 'validation'), temp };
  }
  if (shared) {
    const db = path.join(shared, 's.db');
    if (!fs.existsSync(db)) throw new Error(`no store at ${db}: the browser.store fixture did not run or failed`);
    return { db, temp: null };
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpsi-browser-'));
  const db = makeStore(temp);
  makeValidation(db);
  if (prepare) prepare(db);
  return { db, temp };
}

//! Starts `gpsi --db DB serve --port 0 --web DIST [--validation DIR] [EXTRA…]` (DIR: VALIDATION, by
//! default <dir of DB>/validation, when it holds validation.json) and resolves to {proc, base} once it prints
//! `serving http://HOST:PORT`; rejects if it ends first or takes longer than `limitMs`.
export function startServer(db, logFile, limitMs = 300_000, extra = [], validation = path.join(path.dirname(db), 'validation')) {
  return new Promise((resolve, reject) => {
    const args = ['--db', db, 'serve', '--port', '0', '--web', paths.dist, '--method', paths.method];
    if (fs.existsSync(path.join(validation, 'validation.json'))) args.push('--validation', validation);
    args.push(...extra);
    const proc = spawn(paths.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GPSI_DB: '' } });
    const log = fs.createWriteStream(logFile);
    log.write(`$ ${paths.binary} ${args.join(' ')}\n`);
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`gpsi serve printed no 'serving' line in ${limitMs} ms`)), limitMs);
    function finish(err, value) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        proc.kill('SIGKILL');
        reject(new Error(`${err.message}; its output is in ${logFile}`));
      } else {
        resolve(value);
      }
    }
    proc.stdout.on('data', (chunk) => {
      log.write(chunk);
      out += chunk;
      const m = /serving http:\/\/([^\s:]+):(\d+)\s*\n/.exec(out);
      if (m) finish(null, { proc, base: `http://${m[1]}:${m[2]}` });
    });
    proc.stderr.on('data', (chunk) => log.write(chunk));
    proc.on('error', (e) => finish(e));
    proc.on('exit', (code, signal) => finish(new Error(`gpsi serve ended (exit ${code}, signal ${signal}) before serving`)));
  });
}

//! Ends the server: SIGTERM, then SIGKILL if it is still there after 5 s.
export async function stopServer(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const ended = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await ended;
  clearTimeout(timer);
}

export function loadPlaywright() {
  const require = createRequire(path.join(paths.web, 'package.json'));
  return require('playwright-core');
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);

//! Registers the hooks of one test file: before all, a store (with `options.prepare`: a copy of it
//! the suite may change, given to prepare(db) first), a server and a browser; after each
//! test, a full-page PNG of the page it used (pass or fail) in GPSI_ARTEFACTS/<suite>-<test>.png;
//! after all, everything closed. Returns the suite object the tests use.
//! How wide `page`'s document is, and its widest element outside a box that scrolls sideways (to
//! name the culprit when the page overflows a phone's width).
export function horizontalExtent(page) {
  return page.evaluate(() => {
    let widest = '';
    let right = 0;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect().right;
      if (r > right && !el.closest('.table-scroll')) [right, widest] = [r, `${el.tagName.toLowerCase()}.${el.className} '${(el.textContent ?? '').slice(0, 40)}'`];
    }
    return { doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, widest, right: Math.round(right) };
  });
}

//! A suite's server, browser and pages. options.prepare(db): a copy of the store the suite may change
//! first; options.extra: more `gpsi serve` arguments (e.g. ['--risk-method', FILE]).
export function suite(name, options = {}) {
  const s = {
    name,
    base: '',
    browser: null,
    server: null,
    db: null, // the store the server serves (a second server of the same store: startServer(s.db, …))
    temp: null,
    pages: [],
    errors: new Map(),

    //! JSON of an API GET; fails unless 200.
    async api(p) {
      const r = await fetch(s.base + p);
      const text = await r.text();
      if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    },
    //! JSON of an API POST; fails unless 200.
    async post(p, body) {
      const r = await fetch(s.base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`POST ${p} ${JSON.stringify(body)}: HTTP ${r.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    },
    //! A page in a fresh browser context (own storage), English, 1280×900 unless told otherwise.
    async page(options = {}) {
      const context = await s.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      s.errors.set(page, []);
      page.on('pageerror', (e) => s.errors.get(page).push(String(e && e.stack ? e.stack : e)));
      // What the server's Content-Security-Policy blocks is an error of the page too.
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) s.errors.get(page).push(m.text());
      });
      s.pages.push(page);
      return page;
    },
    //! Opens a dashboard route (e.g. '#/ranking') and waits for the element of `selector`.
    async open(page, route, selector, query = '') {
      await page.goto(`${s.base}/${query}${route}`);
      if (selector) await page.waitForSelector(selector, { state: 'attached' });
    },
    //! A fresh page logged in as `login` with `password` through the dashboard's form (on #/submissions).
    async login(login, password) {
      const page = await s.page();
      await s.open(page, '#/login', '[data-testid=login-form]');
      await page.fill('[data-testid=login-name]', login);
      await page.fill('[data-testid=login-password]', password);
      await page.click('[data-testid=login-submit]');
      await page.waitForFunction(() => location.hash === '#/submissions');
      return page;
    },
    //! The uncaught exceptions the page has thrown so far, and what the CSP blocked.
    pageErrors(page) {
      return s.errors.get(page) ?? [];
    },
    //! Saves a PNG of `page` under the artefacts folder as <suite>-<label>.png.
    async screenshot(page, label) {
      const file = path.join(paths.artefacts, `${slug(s.name)}-${slug(label)}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
      return file;
    },
  };

  before(async () => {
    fs.mkdirSync(paths.artefacts, { recursive: true });
    for (const [what, p] of [['the dashboard', path.join(paths.dist, 'index.html')], ['gpsi', paths.binary],
      ['chromium', paths.chromium], ['playwright-core', path.join(paths.web, 'node_modules/playwright-core')]]) {
      if (!fs.existsSync(p)) throw new Error(`${what} is missing at ${p} (make build, make setup)`);
    }
    const store = storePath(options.prepare);
    s.db = store.db;
    s.temp = store.temp;
    s.server = await startServer(store.db, path.join(paths.artefacts, `${slug(name)}-server.log`), undefined, options.extra ?? [],
      store.validation);
    s.base = s.server.base;
    const { chromium } = loadPlaywright();
    s.browser = await chromium.launch({ executablePath: paths.chromium, headless: true, args: chromiumArgs });
  }, { timeout: 600_000 });

  afterEach(async (t) => {
    // The last page the test opened is the one it ended on.
    const page = s.pages.at(-1);
    if (page && !page.isClosed()) {
      try {
        await s.screenshot(page, t.name);
      } catch (e) {
        console.error(`screenshot of '${t.name}' failed: ${e.message}`);
      }
    }
    for (const p of s.pages.splice(0)) await p.context().close().catch(() => {});
  });

  after(async () => {
    if (s.browser) await s.browser.close().catch(() => {});
    if (s.server) await stopServer(s.server.proc);
    if (s.temp) fs.rmSync(s.temp, { recursive: true, force: true });
  });

  // Never leave a server behind, whatever ends the process.
  process.on('exit', () => {
    if (s.server && s.server.proc.exitCode === null) s.server.proc.kill('SIGKILL');
  });
  return s;
}

//! Waits until `check()` returns a truthy value (returned) or `ms` pass (then the last value).
export async function poll(check, ms = 15_000, every = 200) {
  const until = Date.now() + ms;
  let v;
  for (;;) {
    v = await check();
    if (v || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, every));
  }
}

//! The rows of a table as [{unit, rank, cells:{col:text}}] from tr[data-unit] and td[data-col].
export async function tableRows(page, tableSelector) {
  return page.$$eval(`${tableSelector} tbody tr[data-unit]`, (trs) => trs.map((tr) => {
    const cells = {};
    for (const td of tr.querySelectorAll('td[data-col]')) cells[td.dataset.col] = td.textContent.trim();
    return { unit: tr.dataset.unit, rank: tr.dataset.rank, cells };
  }));
}
