// The dashboard shell: header with the method version, navigation and language switch, hash
// router, footer with the method version, run id and data provenance. Pages are plain modules that
// render into <main>.
import './style.css';
import * as api from './api';
import { disposeAll } from './charts';
import { h } from './dom';
import { lang, setLang, t } from './i18n';
import type { Page } from './page';
import { comparePage } from './pages/compare';
import { countryPage } from './pages/country';
import { downloadsPage } from './pages/downloads';
import { mapPage } from './pages/map';
import { methodologyPage } from './pages/methodology';
import { projectsPage } from './pages/projects';
import { rankingPage } from './pages/ranking';
import { riskPage } from './pages/risk';
import { warningsPage } from './pages/warnings';
import { whatifPage } from './pages/whatif';
import { adminPage } from './pages/admin';
import { campaignsNav, campaignsPage } from './pages/campaigns';
import { loginPage } from './pages/login';
import { submissionPage, submissionsPage, uploadPage } from './pages/submissions';
import { session } from './session';

declare global {
  interface Window {
    __gpsi: { map?: unknown; fan?: unknown; route?: string; ready?: boolean };
  }
}
window.__gpsi = {};

const routes: { name: string; nav: boolean; page: Page }[] = [
  { name: 'map', nav: true, page: mapPage },
  { name: 'ranking', nav: true, page: rankingPage },
  { name: 'country', nav: false, page: countryPage },
  { name: 'compare', nav: true, page: comparePage },
  { name: 'whatif', nav: true, page: whatifPage },
  { name: 'warnings', nav: true, page: warningsPage },
  // Country risk (docs/risk.md): #/risk and #/risk/ISO3, the sheets of `serve --risk-method`.
  { name: 'risk', nav: true, page: riskPage },
  // Project risk sheets (docs/risk.md, "Projects on the platform"): #/risk/projects and
  // #/risk/projects/ID, an enterprise's kept sheets; matched before #/risk/ISO3 (parseHash).
  { name: 'risk/projects', nav: false, page: projectsPage },
  { name: 'downloads', nav: true, page: downloadsPage },
  { name: 'methodology', nav: true, page: methodologyPage },
  // The member platform (docs/platform.md): a login, then the pages of the holder's role.
  { name: 'submissions', nav: true, page: submissionsPage },
  { name: 'submission', nav: false, page: submissionPage },
  { name: 'upload', nav: false, page: uploadPage },
  { name: 'admin', nav: false, page: adminPage },
  // The excellent-practice evaluation: linked from the nav only for accounts with a seat in it.
  { name: 'campaigns', nav: false, page: campaignsPage },
  { name: 'login', nav: false, page: loginPage },
];

const app = document.getElementById('app')!;
let main: HTMLElement;
let renderId = 0;
let cleanup: (() => void) | void;

function parseHash(): { name: string; rest: string[]; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  // A page of its own under another's path (#/risk/projects) is named by both segments.
  const two = parts.slice(0, 2).join('/');
  if (parts.length > 1 && routes.some((r) => r.name === two)) return { name: two, rest: parts.slice(2), query: new URLSearchParams(qs) };
  return { name: parts[0] ?? 'map', rest: parts.slice(1), query: new URLSearchParams(qs) };
}

function navLink(name: string, current: string): HTMLElement {
  return h('li', {}, h('a', { href: `#/${name}`, 'data-testid': `nav-${name}`, 'aria-current': name === current ? 'page' : null }, t(`nav.${name}` as 'nav.map')));
}

function renderShell(current: string): void {
  document.title = `${t('app.title')} · GPSI`;
  const skip = h('a', { class: 'skip', href: '#main', onclick: (ev: Event) => {
    // The hash is the router's: focus <main> instead of navigating.
    ev.preventDefault();
    main.focus();
  } }, t('app.skip'));
  const langBtn = h('button', { type: 'button', class: 'lang', 'data-testid': 'lang-switch', lang: lang() === 'en' ? 'zh-CN' : 'en', 'aria-label': t('lang.switch.label'), onclick: () => {
    setLang(lang() === 'en' ? 'zh' : 'en');
    render(true);
  } }, t('lang.switch'));
  // The method version (e.g. "GPSI 2026.2"), on every page: filled in from /api/v1/meta.
  const version = h('span', { class: 'brand-version', 'data-testid': 'version', hidden: true });
  const navList = h('ul', {}, routes.filter((r) => r.nav).map((r) => navLink(r.name, current)));
  campaignsNav(navList, () => navLink('campaigns', current));
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/map' }, h('span', { class: 'brand-short' }, 'GPSI'), h('span', { class: 'brand-long' }, t('app.title')), version),
    h('nav', { 'aria-label': t('nav.label') }, navList),
    langBtn,
  );
  // Who is logged in to the member platform, or the way to log in.
  const account = h('a', { class: 'account', href: '#/login', 'data-testid': 'account' }, t('login.heading'));
  header.append(account);
  session().then((who) => {
    if (who) account.textContent = `${who.login} · ${who.org}`;
  }, () => {});
  main = h('main', { id: 'main', tabindex: '-1' });
  const footVersion = h('span', { 'data-testid': 'footer-version' });
  const footer = h('footer', { class: 'foot' }, h('p', {}, footVersion, h('span', { class: 'run', 'data-testid': 'run-id' }, `${t('footer.run')}: …`)), h('p', {}, t('footer.note'), ' ', h('a', { href: '#/methodology' }, t('footer.method'))));
  app.replaceChildren(skip, header, main, footer);
  api.meta().then(
    (m) => {
      if (!m.index.version) return;
      version.textContent = m.index.version;
      version.title = `${t('app.version')} ${m.index.version}`;
      version.hidden = false;
      footVersion.replaceChildren(`${t('app.version')}: `, h('strong', {}, `GPSI ${m.index.version}`), ' · ');
    },
    () => {},
  );
  api.health().then(
    (hl) => footer.querySelector('.run')!.replaceChildren(`${t('footer.run')}: `, h('code', {}, hl.run), ` · ${t('footer.engine')} ${hl.engine}`),
    () => footer.querySelector('.run')!.replaceChildren(`${t('footer.run')}: —`),
  );
}

function render(keepFocus = false, initial = false): void {
  const { name, rest, query } = parseHash();
  const route = routes.find((r) => r.name === name);
  disposeAll();
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  renderShell(route?.name === 'country' ? '' : (route?.name.split('/')[0] ?? ''));
  const id = ++renderId;
  window.__gpsi.route = name;
  window.__gpsi.ready = false;
  if (!route) {
    main.append(h('h1', {}, t('app.notfound')), h('p', {}, h('a', { href: '#/map' }, t('app.home'))));
  } else {
    cleanup = route.page(main, { rest, query, alive: () => id === renderId });
  }
  if (keepFocus) (document.querySelector('[data-testid=lang-switch]') as HTMLElement | null)?.focus();
  else if (!initial) {
    // The shell was rebuilt: put focus at the start of the new page for keyboard and screen-reader users.
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

setLang(lang());
window.addEventListener('hashchange', () => {
  // Only "#/…" hashes are routes; anything else (e.g. an in-page anchor) leaves the page as it is.
  if (location.hash === '' || location.hash.startsWith('#/')) render();
});
render(false, true);
