// #/login: the member platform's login, and who is logged in with a logout button.
import { h, errorBox } from '../dom';
import { t } from '../i18n';
import type { Page } from '../page';
import { logIn, logOut, session } from '../session';

export const loginPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('login.heading')));
  const status = h('div', { 'aria-live': 'polite' });
  session().then(
    (who) => {
      if (!ctx.alive()) return;
      if (who) {
        const out = h('button', { type: 'button', 'data-testid': 'logout', onclick: async () => {
          await logOut().catch((e) => status.replaceChildren(errorBox(e)));
          location.hash = '#/login';
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } }, t('login.logout'));
        root.append(h('p', { 'data-testid': 'logged-in' }, t('login.as', { login: who.login, org: who.org, role: t(`role.${who.role}` as 'role.reader') })), out, status);
      } else {
        root.append(form(status), status);
      }
      window.__gpsi.ready = true;
    },
    (e) => root.append(errorBox(e)),
  );
};

function form(status: HTMLElement): HTMLElement {
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true, 'data-testid': 'login-name' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  return h('form', { class: 'member-form', 'data-testid': 'login-form', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    status.replaceChildren();
    try {
      await logIn(login.value, password.value);
      location.hash = '#/submissions';
    } catch (e) {
      password.value = '';
      status.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' }, t('login.failed'), ' ', (e as Error).message));
    }
  } },
  h('label', { for: 'login' }, t('login.name')), login,
  h('label', { for: 'password' }, t('login.password')), password,
  h('button', { type: 'submit', 'data-testid': 'login-submit' }, t('login.submit')));
}
