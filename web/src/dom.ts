// Tiny DOM helpers: build elements without a framework and without innerHTML (no injection from
// names or messages the API returns).
import { ApiError } from './api';
import { t } from './i18n';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

//! Creates `tag` with attributes (on* keys become listeners; false/null are omitted) and children.
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c != null && c !== false) el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

//! An error box with the API's error code and message (role=alert so screen readers announce it).
export function errorBox(e: unknown): HTMLElement {
  let text: string;
  if (e instanceof ApiError) text = `${e.status ? `HTTP ${e.status} ` : ''}${e.code}: ${e.message} (${e.path})`;
  else text = e instanceof Error ? e.message : String(e);
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, t('app.error')), ' ', h('code', {}, text));
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, t('app.loading'));
}

//! A <label> + <select> pair; `options` are [value, text].
export function labelledSelect(id: string, label: string, options: [string, string][], value: string, testid: string, onChange: (v: string) => void): HTMLElement {
  const sel = h(
    'select',
    { id, 'data-testid': testid, onchange: (ev: Event) => onChange((ev.target as HTMLSelectElement).value) },
    options.map(([v, txt]) => h('option', { value: v, selected: v === value }, txt)),
  );
  sel.value = value;
  return h('div', { class: 'field' }, h('label', { for: id }, label), sel);
}

//! The flags of scores.csv the dashboard marks: i imputed, x screened out, t treated, f from a
//! fallback series, d ranked with one dimension missing, n not ranked.
export const FLAGS = ['i', 'x', 't', 'f', 'd', 'n'] as const;
export type Flag = (typeof FLAGS)[number];
const isFlag = (f: string): f is Flag => (FLAGS as readonly string[]).includes(f);

export function flagMarks(flags: string | undefined | null): HTMLElement {
  const span = h('span', { class: 'flags' });
  // In the legend's order, each once.
  const set = new Set((flags ?? '').split('').filter(isFlag));
  for (const f of FLAGS) {
    if (!set.has(f)) continue;
    const title = t(`flag.${f}`);
    span.append(h('abbr', { class: `flag flag-${f}`, 'data-flag': f, title, 'aria-label': title }, f));
  }
  return span;
}

export function flagLegend(flags: readonly Flag[] = ['i', 'x', 't', 'f', 'd']): HTMLElement {
  return h(
    'p',
    { class: 'legend', 'data-testid': 'flag-legend' },
    `${t('flag.legend')}: `,
    flags.map((f) => h('span', { class: 'legend-item', 'data-flag': f }, h('span', { class: `flag flag-${f}`, 'aria-hidden': 'true' }, f), ` ${t(`flag.${f}`)}`)),
  );
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let timer: number | undefined;
  return (...a: A) => {
    clearTimeout(timer);
    timer = window.setTimeout(() => fn(...a), ms);
  };
}
