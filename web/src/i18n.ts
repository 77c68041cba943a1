// The dashboard's strings in English and Chinese. Country, node and indicator names come from the
// API (name_en / name_zh); everything else is here. `t()` falls back to English, then to the key.

export type Lang = 'en' | 'zh';

const en = {
  'app.short': 'GPSI',
  'app.title': 'Global Public Security Index',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.error': 'Request failed',
  'app.notfound': 'Page not found',
  'app.home': 'Back to the map',
  'lang.switch': '中文',
  'lang.switch.label': 'Switch language to Chinese',
  'nav.label': 'Main',
  'nav.map': 'Map',
  'nav.ranking': 'Ranking',
  'nav.compare': 'Compare',
  'nav.whatif': 'What-if',
  'nav.downloads': 'Downloads',
  'nav.methodology': 'Methodology',
  'footer.run': 'Run',
  'footer.engine': 'engine',
  'footer.note':
    'Scores 0–100, higher is more secure. Open official data, UN agencies first (tier 1), then governments (2), research institutes (3), big data (4); every value is traced to the source file and line it was read from.',
  'footer.method': 'How the index is made',
  'common.year': 'Year',
  'common.node': 'Index or dimension',
  'common.score': 'Score',
  'common.rank': 'Rank',
  'common.country': 'Country',
  'common.region': 'Region',
  'common.all': 'All regions',
  'common.interval': '90 % rank interval',
  'common.coverage': 'Coverage',
  'common.nodata': 'no data',
  'common.of': 'of',
  'common.png': 'Save PNG',
  'common.png.label': 'Save chart as PNG',
  'common.notscored': 'not scored',
  'common.meta.missing': 'The method description (/api/v1/meta) is not available; showing the index only.',
  'flag.i': 'imputed (a value carried forward)',
  'flag.x': 'screened out (too little data)',
  'flag.t': 'treated (outlier)',
  'flag.legend': 'Marks',
  'map.heading': 'World map',
  'map.intro': 'Click a country to open its profile. Grey: no score.',
  'map.chart': 'World map of scores',
  'map.top': 'Most secure',
  'map.bottom': 'Least secure',
  'map.keyboard': 'The map is also available as a table: see the ranking.',
  'ranking.heading': 'Ranking',
  'ranking.search': 'Search country',
  'ranking.search.placeholder': 'Name or ISO code',
  'ranking.count': 'countries shown',
  'ranking.sort': 'Sort by',
  'ranking.caption': 'Ranks by score; the interval is the 5th–95th percentile of the rank over the Monte Carlo uncertainty analysis.',
  'ranking.none': 'No country matches.',
  'profile.heading': 'Country profile',
  'profile.radar': 'Dimension scores',
  'profile.series': 'Scores over time',
  'profile.indicators': 'Indicators',
  'profile.indicator': 'Indicator',
  'profile.dimension': 'Dimension',
  'profile.raw': 'Value',
  'profile.direction': 'Direction',
  'profile.source': 'Source',
  'profile.tier': 'Tier',
  'profile.licence': 'Licence',
  'profile.flags': 'Flags',
  'profile.monitor': 'monitor (not scored)',
  'profile.compare': 'Compare with other countries',
  'profile.excluded': 'Not scored this year (too little data).',
  'profile.othersources': 'other sources',
  'profile.line': 'line',
  'profile.imputed': 'carried forward',
  'dir.up': 'higher = more secure',
  'dir.down': 'higher = less secure',
  'compare.heading': 'Compare countries',
  'compare.units': 'Countries (ISO3 codes, comma-separated, up to 5)',
  'compare.add': 'Add a country',
  'compare.add.placeholder': '— choose —',
  'compare.go': 'Compare',
  'compare.chart': 'Scores by dimension',
  'compare.series': 'Index over time',
  'compare.toomany': 'At most 5 countries.',
  'compare.empty': 'Choose one to five countries.',
  'compare.remove': 'Remove',
  'whatif.heading': 'What-if: change the weights',
  'whatif.intro':
    'Move a slider to change the weight of a dimension; the ranking is recomputed by the engine at once. Change = rank with the method\'s weights − new rank (positive: moved up).',
  'whatif.reset': 'Reset to the method\'s weights',
  'whatif.weight': 'weight',
  'whatif.change': 'Change',
  'whatif.base': 'Method rank',
  'whatif.basescore': 'Method score',
  'whatif.caption': 'Ranks with the weights above',
  'whatif.newscore': 'New score',
  'whatif.updating': 'Updating…',
  'whatif.updated': 'Ranking updated',
  'whatif.movers': 'Biggest moves',
  'downloads.heading': 'Downloads',
  'downloads.intro': 'The tables of the build served, as CSV or Excel. Every chart also has a “Save PNG” button.',
  'downloads.table': 'Table',
  'downloads.desc': 'Contents',
  'downloads.formats': 'Formats',
  'downloads.api': 'API description (OpenAPI 3.0)',
  'dl.scores': 'Every score and rank: year, country, node (index, dimension, indicator), value, rank, flags',
  'dl.indicators': 'Every country-year-indicator: raw value, imputed, score, chosen source, tier, licence',
  'dl.intervals': 'Monte Carlo rank intervals: nominal rank, median, 5th and 95th percentile',
  'dl.units': 'Countries: codes, names (en/zh), UN M49 region',
  'dl.sources': 'Data sources: publisher, tier, licence, release',
  'dl.weights': 'The framework: node, parent, level, weight',
  'method.heading': 'Methodology',
  'method.version': 'Version',
  'method.framework': 'Framework',
  'method.weight': 'weight',
  'method.share': 'share of the index',
  'method.reads': 'reads',
  'method.denominator': 'per',
  'method.pipeline': 'Pipeline',
  'method.coverage': 'Coverage rule',
  'method.intervals': 'Uncertainty',
  'method.intervals.text': 'Rank intervals from {samples} Monte Carlo samples (seed {seed}), {level} % level.',
  'method.intervals.none': 'No rank intervals were computed for this run.',
  'method.sources': 'Sources',
  'method.tiers': 'Tier 1 UN agency · 2 government · 3 think tank or research institute · 4 big data and other.',
  'method.publisher': 'Publisher',
  'method.release': 'Release',
  'method.retrieved': 'Retrieved',
  'method.hashes': 'Method hash / data hash',
  'method.years': 'Years',
  'step.denominate': 'Denominate',
  'step.impute': 'Missing data',
  'step.screen': 'Coverage screen',
  'step.screen_on': 'Screen on',
  'step.treat': 'Outliers',
  'step.normalise': 'Normalise',
  'step.aggregate': 'Aggregate',
  'step.weights': 'Weights',
  'step.years': 'Years',
  'step.panel': 'Panel',
  'step.min_units': 'Minimum countries per year',
  'region.002': 'Africa',
  'region.019': 'Americas',
  'region.142': 'Asia',
  'region.150': 'Europe',
  'region.009': 'Oceania',
};

type Key = keyof typeof en;

const zh: Partial<Record<Key, string>> = {
  'app.short': 'GPSI',
  'app.title': '全球公共安全指数',
  'app.skip': '跳到正文',
  'app.loading': '加载中…',
  'app.error': '请求失败',
  'app.notfound': '页面不存在',
  'app.home': '返回地图',
  'lang.switch': 'English',
  'lang.switch.label': '切换为英文',
  'nav.label': '主导航',
  'nav.map': '地图',
  'nav.ranking': '排名',
  'nav.compare': '比较',
  'nav.whatif': '权重模拟',
  'nav.downloads': '下载',
  'nav.methodology': '方法',
  'footer.run': '计算批次',
  'footer.engine': '引擎',
  'footer.note':
    '得分 0–100，越高越安全。数据来自公开的官方来源：联合国机构优先（第 1 级），其次为政府（2）、智库与研究机构（3）、大数据（4）；每个数值都可追溯到其来源文件及行号。',
  'footer.method': '指数的编制方法',
  'common.year': '年份',
  'common.node': '指数或维度',
  'common.score': '得分',
  'common.rank': '排名',
  'common.country': '国家',
  'common.region': '地区',
  'common.all': '全部地区',
  'common.interval': '90% 排名区间',
  'common.coverage': '数据覆盖',
  'common.nodata': '无数据',
  'common.of': '/',
  'common.png': '保存 PNG',
  'common.png.label': '将图表保存为 PNG',
  'common.notscored': '未计分',
  'common.meta.missing': '方法说明（/api/v1/meta）暂不可用；仅显示总指数。',
  'flag.i': '插补（沿用最近年份的数值）',
  'flag.x': '被筛除（数据不足）',
  'flag.t': '已处理（异常值）',
  'flag.legend': '标记',
  'map.heading': '世界地图',
  'map.intro': '点击国家查看其概况。灰色：无得分。',
  'map.chart': '各国得分世界地图',
  'map.top': '最安全',
  'map.bottom': '最不安全',
  'map.keyboard': '地图数据也以表格形式提供：见排名页。',
  'ranking.heading': '排名',
  'ranking.search': '搜索国家',
  'ranking.search.placeholder': '名称或 ISO 代码',
  'ranking.count': '个国家',
  'ranking.sort': '排序',
  'ranking.caption': '按得分排名；区间为蒙特卡洛不确定性分析中排名的第 5–95 百分位。',
  'ranking.none': '没有匹配的国家。',
  'profile.heading': '国家概况',
  'profile.radar': '各维度得分',
  'profile.series': '得分变化',
  'profile.indicators': '指标',
  'profile.indicator': '指标',
  'profile.dimension': '维度',
  'profile.raw': '数值',
  'profile.direction': '方向',
  'profile.source': '来源',
  'profile.tier': '级别',
  'profile.licence': '许可',
  'profile.flags': '标记',
  'profile.monitor': '监测指标（不计分）',
  'profile.compare': '与其他国家比较',
  'profile.excluded': '该年未计分（数据不足）。',
  'profile.othersources': '其他来源',
  'profile.line': '行',
  'profile.imputed': '沿用往年数值',
  'dir.up': '越高越安全',
  'dir.down': '越高越不安全',
  'compare.heading': '国家比较',
  'compare.units': '国家（ISO3 代码，逗号分隔，最多 5 个）',
  'compare.add': '添加国家',
  'compare.add.placeholder': '— 请选择 —',
  'compare.go': '比较',
  'compare.chart': '各维度得分',
  'compare.series': '指数变化',
  'compare.toomany': '最多 5 个国家。',
  'compare.empty': '请选择 1 至 5 个国家。',
  'compare.remove': '移除',
  'whatif.heading': '权重模拟',
  'whatif.intro': '拖动滑块改变各维度的权重，排名由引擎即时重新计算。变化 = 原方法排名 − 新排名（正数表示上升）。',
  'whatif.reset': '恢复方法权重',
  'whatif.weight': '权重',
  'whatif.change': '变化',
  'whatif.base': '原排名',
  'whatif.basescore': '原得分',
  'whatif.caption': '按上方权重计算的排名',
  'whatif.newscore': '新得分',
  'whatif.updating': '更新中…',
  'whatif.updated': '排名已更新',
  'whatif.movers': '变化最大',
  'downloads.heading': '下载',
  'downloads.intro': '当前计算批次的数据表，提供 CSV 与 Excel 格式。每个图表也有“保存 PNG”按钮。',
  'downloads.table': '数据表',
  'downloads.desc': '内容',
  'downloads.formats': '格式',
  'downloads.api': 'API 说明（OpenAPI 3.0）',
  'dl.scores': '全部得分与排名：年份、国家、节点（指数、维度、指标）、数值、排名、标记',
  'dl.indicators': '每个国家-年份-指标：原始值、是否插补、得分、所选来源、级别、许可',
  'dl.intervals': '蒙特卡洛排名区间：名义排名、中位数、第 5 与第 95 百分位',
  'dl.units': '国家：代码、中英文名称、联合国 M49 地区',
  'dl.sources': '数据来源：发布机构、级别、许可、版本',
  'dl.weights': '指标框架：节点、上级、层级、权重',
  'method.heading': '方法',
  'method.version': '版本',
  'method.framework': '指标框架',
  'method.weight': '权重',
  'method.share': '占总指数比例',
  'method.reads': '读取',
  'method.denominator': '按',
  'method.pipeline': '计算流程',
  'method.coverage': '数据覆盖规则',
  'method.intervals': '不确定性',
  'method.intervals.text': '排名区间来自 {samples} 次蒙特卡洛抽样（种子 {seed}），置信水平 {level}%。',
  'method.intervals.none': '本批次未计算排名区间。',
  'method.sources': '数据来源',
  'method.tiers': '第 1 级 联合国机构 · 2 政府 · 3 智库或研究机构 · 4 大数据及其他。',
  'method.publisher': '发布机构',
  'method.release': '版本',
  'method.retrieved': '获取日期',
  'method.hashes': '方法哈希 / 数据哈希',
  'method.years': '年份',
  'step.denominate': '人口标准化',
  'step.impute': '缺失值',
  'step.screen': '覆盖筛选',
  'step.screen_on': '筛选依据',
  'step.treat': '异常值',
  'step.normalise': '标准化',
  'step.aggregate': '加总',
  'step.weights': '权重',
  'step.years': '年份',
  'step.panel': '面板',
  'step.min_units': '每年最少国家数',
  'region.002': '非洲',
  'region.019': '美洲',
  'region.142': '亚洲',
  'region.150': '欧洲',
  'region.009': '大洋洲',
};

const STORE_KEY = 'gpsi.lang';

function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'zh' || q === 'en') return q;
  try {
    const s = localStorage.getItem(STORE_KEY);
    if (s === 'zh' || s === 'en') return s;
  } catch {
    /* storage may be blocked; fall through */
  }
  return 'en';
}

let current: Lang = initialLang();

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* not persisted: still switched for this page */
  }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

export function hasKey(key: string): key is Key {
  return key in en;
}

//! The string for `key` in the current language, with {name} placeholders filled from `vars`.
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = (current === 'zh' ? zh[key] : undefined) ?? en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

//! The name of an API object (country, node, indicator) in the current language.
export function nm(o: { name_en?: string | null; name_zh?: string | null; code?: string } | undefined): string {
  if (!o) return '';
  return (current === 'zh' ? o.name_zh || o.name_en : o.name_en || o.name_zh) || o.code || '';
}

//! A UN M49 region name in the current language (the API gives English names only).
export function regionName(code: string, fallback = ''): string {
  const k = `region.${code}`;
  return hasKey(k) ? t(k) : fallback || code;
}

export function numberFmt(v: number | null | undefined, digits = 1): string {
  return v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}
