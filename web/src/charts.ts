// ECharts, tree-shaken to the charts the dashboard uses, always with the SVG renderer (crisp at
// any zoom, text selectable, and the DOM the browser tests inspect).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, RadarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { h } from './dom';
import { t } from './i18n';

echarts.use([BarChart, LineChart, MapChart, RadarChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export { echarts };
export type Chart = echarts.ECharts;

// Colour-blind-safe categorical palette (Okabe–Ito).
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

const live = new Set<{ chart: Chart; ro: ResizeObserver }>();

//! Initialises a chart in `el` (SVG renderer) that follows the element's size; disposed by disposeAll().
export function makeChart(el: HTMLElement): Chart {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  // An element hidden, detached or squeezed to nothing measures 0: ECharts' maps would invert a
  // singular view transform and throw (an uncaught error in the observer). Nothing to draw then;
  // the next real size resizes the chart.
  const ro = new ResizeObserver(() => {
    if (el.clientWidth > 0 && el.clientHeight > 0) chart.resize();
  });
  ro.observe(el);
  live.add({ chart, ro });
  return chart;
}

export function disposeAll(): void {
  for (const { chart, ro } of live) {
    ro.disconnect();
    chart.dispose();
  }
  live.clear();
}

//! Saves the chart as PNG: the SVG renderer exports SVG only, so it is drawn on a canvas first.
export async function savePng(chart: Chart, name: string): Promise<void> {
  const svgUrl = chart.getDataURL({ type: 'svg', backgroundColor: '#ffffff' });
  const img = new Image();
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('could not render the chart'));
    img.src = svgUrl;
  });
  const scale = 2;
  const w = chart.getWidth();
  const hgt = chart.getHeight();
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = hgt * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  const a = document.createElement('a');
  a.href = canvas.toDataURL('image/png');
  a.download = `gpsi-${name}.png`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

//! A figure with a heading, the chart element (data-testid=`name`) and its PNG button (png-`name`).
export function chartFigure(name: string, title: string, cls = ''): { figure: HTMLElement; el: HTMLElement; setChart: (c: Chart) => void } {
  const el = h('div', { class: `chart ${cls}`, 'data-testid': name, role: 'img', 'aria-label': title });
  let chart: Chart | undefined;
  const btn = h(
    'button',
    {
      type: 'button',
      class: 'png',
      'data-testid': `png-${name}`,
      'aria-label': `${t('common.png.label')}: ${title}`,
      onclick: () => {
        if (chart) void savePng(chart, name);
      },
    },
    t('common.png'),
  );
  const figure = h('figure', { class: 'figure' }, h('figcaption', {}, h('span', {}, title), btn), el);
  return { figure, el, setChart: (c) => (chart = c) };
}
