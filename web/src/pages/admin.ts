// #/admin: organisations, accounts and API tokens for an administrator (/api/v1/admin): lists,
// and forms to add an organisation, an account and a token (its secret shown once), to change an
// organisation (names, tier, countries, agreements), to disable or enable an organisation or an
// account, and to revoke a token.
import type { Account, IssuedToken, Organisation, Token } from '../api';
import { h, errorBox } from '../dom';
import { t } from '../i18n';
import type { Page } from '../page';
import { send, session } from '../session';

const input = (id: string, attrs: Record<string, string | boolean> = {}) => h('input', { id, name: id, 'data-testid': `admin-${id}`, ...attrs });
const field = (label: string, el: HTMLElement) => [h('label', { for: el.id }, label), el];
const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
//! Agreements as an administrator writes them, one a line: `DATASET: indicator indicator …`.
const agreementsText = (o: Organisation) => o.agreements.map((a) => `${a.dataset}: ${a.indicators.join(' ')}`).join('\n');
const agreements = (s: string) => s.split('\n').filter((l) => l.trim()).map((l) => {
  const colon = l.indexOf(':');
  return colon < 0 ? { dataset: l.trim(), indicators: [] } : { dataset: l.slice(0, colon).trim(), indicators: list(l.slice(colon + 1)) };
});

//! The form that changes an organisation, filled with the one picked; every field is sent, so what
//! the form shows is what the organisation holds after it.
function changeOrgForm(orgs: Organisation[], done: () => void): HTMLElement {
  const pick = h('select', { id: 'change-org', 'data-testid': 'admin-change-org' }, orgs.map((o) => h('option', { value: o.key }, o.key)));
  const nameEn = input('change-name-en', { required: true }), nameZh = input('change-name-zh');
  const tier = input('change-tier', { type: 'number', min: '1', max: '4' }), countries = input('change-countries');
  const agreed = h('textarea', { id: 'change-agreements', 'data-testid': 'admin-change-agreements', rows: 3, 'aria-describedby': 'change-agreements-hint' });
  const fill = () => {
    const o = orgs.find((x) => x.key === pick.value);
    if (!o) return;
    nameEn.value = o.name_en, nameZh.value = o.name_zh, tier.value = String(o.tier);
    countries.value = o.countries.join(' '), agreed.value = agreementsText(o);
  };
  pick.addEventListener('change', fill);
  fill();
  return form('admin-change-form', [...field(t('admin.org'), pick), ...field(t('admin.name_en'), nameEn), ...field(t('admin.name_zh'), nameZh),
    ...field(t('admin.tier'), tier), ...field(t('admin.countries'), countries), ...field(t('admin.agreements'), agreed),
    h('p', { id: 'change-agreements-hint', class: 'hint' }, t('admin.agreements_hint'))], t('admin.save'),
  () => `admin/orgs/${encodeURIComponent(pick.value)}`,
  () => ({ name_en: nameEn.value, name_zh: nameZh.value, tier: Number(tier.value), countries: list(countries.value), agreements: agreements(agreed.value) }),
  () => (done(), null));
}

function table(testid: string, head: string[], rows: HTMLElement[]): HTMLElement {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
}

//! A form that posts what `body()` makes to `path` and shows the answer with `done`, or the error.
function form(testid: string, fields: HTMLElement[], label: string, path: string | (() => string), body: () => unknown, done: (answer: unknown) => Node | null): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', { class: 'member-form', 'data-testid': testid, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    try {
      const answer = await send('POST', typeof path === 'string' ? path : path(), body());
      out.replaceChildren(done(answer) ?? '');
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  } }, fields, h('button', { type: 'submit' }, label), out);
}

export const adminPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('admin.heading')));
  const body = h('div', {});
  root.append(body);
  const render = async () => {
    const who = await session();
    if (!who || !who.permissions.includes('admin')) {
      body.replaceChildren(h('p', { 'data-testid': 'admin-denied' }, t('admin.denied'), ' ', h('a', { href: '#/login' }, t('login.heading'))));
      window.__gpsi.ready = true;
      return;
    }
    const [orgs, users, tokens] = await Promise.all([
      send<{ orgs: Organisation[] }>('GET', 'admin/orgs'), send<{ users: Account[] }>('GET', 'admin/users'), send<{ tokens: Token[] }>('GET', 'admin/tokens')]);
    if (!ctx.alive()) return;
    const act = (label: string, testid: string, path: string, payload: unknown) => h('button', { type: 'button', 'data-testid': testid, onclick: async () => {
      await send('POST', path, payload).then(render, (e) => body.prepend(errorBox(e)));
    } }, label);
    const key = input('org-key'), kind = h('select', { id: 'org-kind', 'data-testid': 'admin-org-kind' }, ['government', 'think-tank', 'enterprise', 'secretariat'].map((k) => h('option', { value: k }, t(`kind.${k}` as 'kind.government'))));
    const nameEn = input('org-name-en'), nameZh = input('org-name-zh'), countries = input('org-countries'), dataset = input('org-dataset'), indicators = input('org-indicators');
    const login = input('user-login'), userOrg = input('user-org'), role = h('select', { id: 'user-role', 'data-testid': 'admin-user-role' }, ['member-submitter', 'member-approver', 'secretariat', 'reader', 'admin'].map((r) => h('option', { value: r }, t(`role.${r}` as 'role.reader'))));
    const password = input('user-password', { type: 'password', autocomplete: 'new-password' });
    const tokenLogin = input('token-login'), days = input('token-days', { type: 'number', value: '90' });
    body.replaceChildren(
      h('h2', {}, t('admin.orgs')),
      table('admin-orgs', [t('admin.key'), t('admin.name'), t('admin.kind'), t('admin.tier'), t('admin.countries'), t('admin.datasets'), t('admin.state'), ''], orgs.orgs.map((o) => h('tr', { 'data-key': o.key },
        h('td', {}, o.key), h('td', {}, o.name_en, o.name_zh ? ` / ${o.name_zh}` : ''), h('td', {}, t(`kind.${o.kind}` as 'kind.government')), h('td', {}, String(o.tier)),
        h('td', {}, o.countries.join(' ')), h('td', {}, agreementsText(o).replaceAll('\n', '; ')),
        h('td', {}, o.disabled ? t('admin.disabled') : t('admin.active')),
        h('td', {}, o.disabled ? act(t('admin.enable'), `enable-org-${o.key}`, `admin/orgs/${o.key}`, { disabled: false })
          : act(t('admin.disable'), `disable-org-${o.key}`, `admin/orgs/${o.key}`, { disabled: true }))))),
      form('admin-org-form', [...field(t('admin.key'), key), ...field(t('admin.kind'), kind), ...field(t('admin.name_en'), nameEn), ...field(t('admin.name_zh'), nameZh),
        ...field(t('admin.countries'), countries), ...field(t('admin.dataset'), dataset), ...field(t('admin.indicators'), indicators)], t('admin.add'), 'admin/orgs',
      () => ({ key: key.value, kind: kind.value, name_en: nameEn.value, name_zh: nameZh.value, countries: list(countries.value),
        agreements: dataset.value ? [{ dataset: dataset.value, indicators: list(indicators.value) }] : [] }), () => (render(), null)),
      h('h3', {}, t('admin.change')),
      changeOrgForm(orgs.orgs, () => void render()),
      h('h2', {}, t('admin.users')),
      table('admin-users', [t('admin.login'), t('admin.org'), t('admin.role'), t('admin.state'), ''], users.users.map((u) => h('tr', { 'data-login': u.login },
        h('td', {}, u.login), h('td', {}, u.org), h('td', {}, t(`role.${u.role}` as 'role.reader')),
        h('td', {}, u.disabled ? t('admin.disabled') : u.locked_until ? t('admin.locked', { until: u.locked_until }) : t('admin.active')),
        h('td', {}, u.disabled ? act(t('admin.enable'), `enable-${u.login}`, `admin/users/${u.login}`, { disabled: false })
          : act(t('admin.disable'), `disable-${u.login}`, `admin/users/${u.login}`, { disabled: true }))))),
      form('admin-user-form', [...field(t('admin.login'), login), ...field(t('admin.org'), userOrg), ...field(t('admin.role'), role), ...field(t('login.password'), password)],
        t('admin.add'), 'admin/users', () => ({ login: login.value, org: userOrg.value, role: role.value, ...(password.value ? { password: password.value } : {}) }), () => (render(), null)),
      h('h2', {}, t('admin.tokens')),
      table('admin-tokens', [t('admin.suffix'), t('admin.login'), t('admin.scopes'), t('admin.expires'), ''], tokens.tokens.map((k) => h('tr', { 'data-suffix': k.suffix },
        h('td', {}, h('code', {}, `…${k.suffix}`)), h('td', {}, k.login), h('td', {}, k.scopes.join(' ')), h('td', {}, k.revoked ? t('admin.revoked', { at: k.revoked }) : k.expires),
        h('td', {}, k.revoked ? '' : act(t('admin.revoke'), `revoke-${k.suffix}`, `admin/tokens/${k.suffix}/revoke`, {}))))),
      form('admin-token-form', [...field(t('admin.login'), tokenLogin), ...field(t('admin.days'), days)], t('admin.issue'), 'admin/tokens',
        () => ({ login: tokenLogin.value, days: Number(days.value) }),
        (a) => h('p', { class: 'secret', 'data-testid': 'token-secret' }, t('admin.secret'), ' ', h('code', {}, (a as IssuedToken).secret))),
    );
    window.__gpsi.ready = true;
  };
  render().catch((e) => body.replaceChildren(errorBox(e)));
};
