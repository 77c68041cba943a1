// The world map of the dashboard's choropleths (#/map, #/risk): world-atlas countries-110m, each
// feature carrying its ISO 3166 numeric id as the `m49` property, registered with ECharts once.
import { feature } from 'topojson-client';
import type { FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import worldUrl from 'world-atlas/countries-110m.json?url';
import { echarts } from './charts';

//! Rings of countries-110m that cross 180° (Russia, Fiji) jump from +180 to -180 and would be
//! drawn as a stripe across the whole map: their western points are moved east by 360°.
function unwrapAntimeridian(g: Geometry | null): void {
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const ring of polys.flat()) {
    if (!ring.some((pt, k) => k > 0 && Math.abs(pt[0] - ring[k - 1][0]) > 180)) continue;
    for (const pt of ring) if (pt[0] < 0) pt[0] += 360;
  }
}

let worldPromise: Promise<void> | undefined;

//! Registers the "world" map once: features carry their ISO numeric id as the `m49` property.
export function loadWorld(): Promise<void> {
  worldPromise ??= fetch(worldUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`world map: HTTP ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topo) => {
      const fc = feature(topo, topo.objects.countries) as FeatureCollection;
      // Antarctica (010) has no scores and takes a fifth of the height.
      fc.features = fc.features.filter((f) => f.id !== '010');
      for (const f of fc.features) unwrapAntimeridian(f.geometry);
      for (const f of fc.features) f.properties = { ...(f.properties ?? {}), m49: f.id == null ? `x-${f.properties?.name}` : String(f.id) };
      echarts.registerMap('world', fc as never);
    });
  worldPromise.catch(() => (worldPromise = undefined));
  return worldPromise;
}

//! The world map series of `data` ({name: m49, value}, optionally its own itemStyle), as #/map and
//! #/risk draw it; the rest of the option is the page's. Countries without data are grey.
export function mapSeries(data: { name: string; value: number | null; itemStyle?: object }[], narrow: boolean) {
  return [
    {
      type: 'map',
      map: 'world',
      nameProperty: 'm49',
      roam: false,
      left: 0,
      right: 0,
      top: 0,
      bottom: narrow ? 48 : 0,
      selectedMode: false,
      label: { show: false },
      emphasis: { label: { show: false }, itemStyle: { areaColor: '#f28e2b' } },
      itemStyle: { areaColor: '#d9d9d9', borderColor: '#ffffff', borderWidth: 0.5 },
      data,
    },
  ];
}
