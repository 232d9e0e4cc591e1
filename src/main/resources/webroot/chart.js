// A 30-day bar chart as inline SVG: no library, no build step, works offline.

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A round top for the axis whose half is round too (2, 4, 6, 8, 10 × a power of ten). */
function niceMax(v) {
  if (v <= 0) return 2;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= v && (m * p) % 2 === 0) return m * p;
  return 10 * p;
}

/**
 * days: [{date: 'YYYY-MM-DD', value: number|null, today: boolean}] oldest first; null = no data for that day.
 */
export function renderDailyChart(figure, days, { label, format }) {
  // drawn at the figure's own width, so labels keep their size on a phone as on a laptop
  const W = Math.max(280, Math.round(figure.clientWidth || 640)), H = 200, L = 40, R = 8, T = 12, B = 28;
  const values = days.map((d) => d.value).filter((v) => v !== null && Number.isFinite(v));
  const max = niceMax(values.length ? Math.max(...values) : 0);
  const slot = (W - L - R) / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  const withData = values.length;
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-days': days.length, 'data-points': withData,
    'aria-label': `${label} per day for the last ${days.length} days` +
      (withData ? `; highest ${format(Math.max(...values))}` : '; no data'),
  });
  svg.append(el('title', {}, `${label} per day`));
  for (const frac of [0, 0.5, 1]) {
    const y = T + (H - T - B) * (1 - frac);
    svg.append(el('line', { class: 'axis', x1: L, x2: W - R, y1: y, y2: y }));
    svg.append(el('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, format(max * frac)));
  }
  days.forEach((d, i) => {
    const x = L + i * slot + (slot - barW) / 2;
    if (d.value === null || !Number.isFinite(d.value)) {
      svg.append(el('rect', { class: 'missing', x, y: H - B - 2, width: barW, height: 2 }));
    } else {
      const h = (H - T - B) * (d.value / max);
      const bar = el('rect', {
        class: d.today ? 'bar today' : 'bar', x, y: H - B - h, width: barW, height: Math.max(h, d.value > 0 ? 1 : 0),
        'data-date': d.date, 'data-value': d.value,
      });
      bar.append(el('title', {}, `${d.date}: ${format(d.value)} ${label.toLowerCase()}${d.today ? ' (today, live)' : ''}`));
      svg.append(bar);
    }
    const every = W < 420 ? 10 : 5;
    if (i % every === 0 || i === days.length - 1) {
      const last = i === days.length - 1;
      svg.append(el('text', { x: last ? x + barW : x + barW / 2, y: H - B + 14, 'text-anchor': last ? 'end' : 'middle' },
        d.date.slice(5)));
    }
  });
  figure.replaceChildren(svg);
}
