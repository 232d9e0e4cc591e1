// Apache ECharts from its WebJar (served by this server under /webjars/, never a CDN), loaded on first use.
// Every chart drawn here has a text alternative next to it (a table or a caption) for people who cannot see it.

const ECHARTS = '/webjars/echarts/5.3.1/dist/echarts.min.js';
const WORLD = 'geo/world-110m.geo.json';
let loading = null;
let worldLoading = null;
const charts = new Map();

export function echartsReady() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = ECHARTS;
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { loading = null; reject(new Error('the chart library could not be loaded')); };
      document.head.append(s);
    });
  }
  return loading;
}

/** The bundled Natural Earth 110 m outline (public domain), registered once as the map "world". */
export async function worldReady() {
  const echarts = await echartsReady();
  if (!worldLoading) {
    worldLoading = fetch(WORLD).then((r) => r.json()).then((geo) => { echarts.registerMap('world', geo); return echarts; });
  }
  return worldLoading;
}

function colors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { text: v('--text'), muted: v('--muted'), line: v('--line'), accent: v('--accent'), card: v('--card'), land: v('--land') };
}

/** Draws option into element (a figure), reusing the chart instance; the figure is an image with a label. */
export async function draw(element, option, label) {
  const echarts = await echartsReady();
  let chart = charts.get(element);
  if (!chart || chart.isDisposed()) {
    chart = echarts.init(element, null, { renderer: 'canvas' });
    charts.set(element, chart);
  }
  const c = colors();
  chart.setOption({
    backgroundColor: 'transparent',
    textStyle: { color: c.text },
    // tooltips drawn on the canvas: no HTML with inline styles, so the page's CSP stays strict
    tooltip: { renderMode: 'richText', confine: true },
    animation: !matchMedia('(prefers-reduced-motion: reduce)').matches,
    ...option,
  }, true);
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', label);
  element.dataset.drawn = 'true';
  return chart;
}

export function theme() {
  return colors();
}

/** Charts follow their box when the window is resized. */
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const [el, chart] of charts) if (el.isConnected && el.offsetParent !== null) chart.resize();
  }, 150);
});

/** A chart drawn while its page was hidden has no size: resize the page's charts when it is shown. */
export function resizeWithin(container) {
  for (const [el, chart] of charts) if (container.contains(el)) chart.resize();
}
