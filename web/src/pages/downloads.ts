// #/downloads: the annual report as PDF in both languages (GET /api/v1/reports/{lang}), and links
// to every table of GET /api/v1/download/{table} as CSV and XLSX.
import { apiUrl } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { Page } from '../page';

const TABLES = ['scores', 'indicators', 'intervals', 'units', 'sources', 'weights'] as const;

export const downloadsPage: Page = (root) => {
  const link = (table: string, fmt: 'csv' | 'xlsx') =>
    h('a', { href: apiUrl(`download/${table}?format=${fmt}`), download: `gpsi-${table}.${fmt}`, 'data-testid': `download-${table}-${fmt}`, class: 'dl', 'aria-label': `${table} (${fmt.toUpperCase()})` }, fmt.toUpperCase());
  root.append(
    h('h1', {}, t('downloads.heading')),
    h('h2', {}, t('downloads.reports')),
    h('p', {}, t('downloads.reports_intro')),
    h(
      'ul',
      { class: 'report-links' },
      (['en', 'zh'] as const).map((lang) =>
        h('li', {}, h('a', { href: apiUrl(`reports/${lang}`), 'data-testid': `report-${lang}`, hreflang: lang, type: 'application/pdf' }, t(`downloads.report_${lang}`))),
      ),
    ),
    h('h2', {}, t('downloads.tables')),
    h('p', {}, t('downloads.intro')),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data downloads', 'data-testid': 'downloads-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('downloads.table')), h('th', { scope: 'col' }, t('downloads.desc')), h('th', { scope: 'col' }, t('downloads.formats')))),
        h(
          'tbody',
          {},
          TABLES.map((tb) => h('tr', { 'data-table': tb }, h('th', { scope: 'row' }, h('code', {}, tb)), h('td', {}, t(`dl.${tb}`)), h('td', { class: 'dl-links' }, link(tb, 'csv'), ' ', link(tb, 'xlsx')))),
        ),
      ),
    ),
    h('p', {}, h('a', { href: apiUrl('openapi.json'), 'data-testid': 'openapi-link' }, t('downloads.api')), ' · ', h('a', { href: apiUrl('scores?format=csv') }, 'scores?format=csv')),
  );
  window.__gpsi.ready = true;
};
