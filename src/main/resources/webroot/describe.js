// Words for what the service sends: numbers, durations and sharing-alert evidence.


const numberFormats = new Map();

/** A number in the browser's locale (grouping and decimal mark); 'n/a' when there is none. */
export function formatNumber(n, digits = 0) {
  if (n === null || n === undefined || n === '' || !Number.isFinite(Number(n))) return 'n/a';
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(digits, f);
  }
  return f.format(Number(n));
}

/** A date and time in the browser's locale; '—' when missing. */
export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A calendar day (YYYY-MM-DD) in the browser's locale, without shifting it through a time zone. */
export function formatDay(isoDay) {
  if (!isoDay) return '—';
  const [y, m, d] = String(isoDay).split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 8) : '?';
}

/** A person by name; a short id when no start ever named them. */
export function userLabel(name, id) {
  return typeof name === 'string' && name.trim() ? name : `user ${shortId(id)}`;
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

/**
 * What is playing, by name: "Breaking Bad S01E02 — Cat's in the Bag..." for an episode, the title for a movie
 * (the item's stored names first, then what this session said, then its type and short id).
 */
export function sessionTitle(s) {
  const c = s?.content && typeof s.content === 'object' ? s.content : {};
  const title = c.title || s?.content_title;
  if (c.series_title) {
    const season = Number.isInteger(c.season_number) ? `S${pad2(c.season_number)}` : '';
    const episode = Number.isInteger(c.episode_number) ? `E${pad2(c.episode_number)}` : '';
    const code = `${season}${episode}`;
    const head = code ? `${c.series_title} ${code}` : c.series_title;
    return title && title !== c.series_title ? `${head} — ${title}` : head;
  }
  if (title) return title;
  return `${s?.content_type ?? 'item'} ${shortId(s?.content_id)}`;
}

export function formatClock(seconds) {
  if (!Number.isFinite(Number(seconds))) return '0:00';
  const s = Math.max(0, Math.floor(Number(seconds)));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "1 h 52 min", "45 min". */
export function formatMinutes(minutes) {
  const m = Math.round(Number(minutes) || 0);
  if (m < 60) return `${m} min`;
  return `${formatNumber(Math.floor(m / 60))} h ${m % 60} min`;
}

function formatHours(hours) {
  const h = Number(hours);
  if (!Number.isFinite(h)) return '?';
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} min`;
  return `${formatNumber(h, h < 10 ? 1 : 0)} h`;
}

export function place(loc) {
  if (!loc || typeof loc !== 'object') return 'unknown place';
  if (loc.city) return loc.city;
  if (loc.country) return loc.country;
  if (Number.isFinite(loc.latitude) && Number.isFinite(loc.longitude)) {
    return `${loc.latitude.toFixed(1)}, ${loc.longitude.toFixed(1)}`;
  }
  return 'unknown place';
}

const TYPE_LABELS = {
  concurrent_streams: 'Concurrent streams',
  geo_impossible: 'Streams too far apart',
  impossible_travel: 'Impossible travel',
  device_spike: 'New-device spike',
};

export function alertTypeLabel(type) {
  return TYPE_LABELS[type] ?? String(type ?? 'Alert').replace(/_/g, ' ');
}

function evidenceOf(alert) {
  let ev = alert?.evidence;
  if (typeof ev === 'string') {
    try { ev = JSON.parse(ev); } catch { ev = {}; }
  }
  return ev && typeof ev === 'object' ? ev : {};
}

function locationsOf(ev) {
  if (Array.isArray(ev.locations)) return ev.locations;
  if (Array.isArray(ev.sessions)) return ev.sessions.map((s) => s?.location).filter(Boolean);
  return [];
}

function deviceName(d) {
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') return d.device_name || d.name || d.device_key || d.key || d.device_id || '?';
  return '?';
}

/** One sentence a person can judge the alert by, e.g. "2 streams 5 818 km apart: Paris ↔ Syracuse". */
export function describeEvidence(alert) {
  const ev = evidenceOf(alert);
  switch (alert?.alert_type) {
    case 'geo_impossible': {
      const locs = locationsOf(ev);
      const n = locs.length || (Array.isArray(ev.session_ids) ? ev.session_ids.length : 0) || 2;
      const places = locs.map(place);
      return `${n} streams ${formatNumber(ev.distance_km)} km apart${places.length ? ': ' + places.join(' ↔ ') : ''}`;
    }
    case 'concurrent_streams': {
      const count = ev.count ?? (Array.isArray(ev.devices) ? ev.devices.length : '?');
      return `${count} devices streaming at once (limit ${ev.threshold ?? '?'})`;
    }
    case 'impossible_travel': {
      const places = locationsOf(ev).map(place);
      const route = places.length >= 2 ? `${places[0]} → ${places[places.length - 1]}: ` : '';
      const limit = ev.threshold_kmh != null ? `, limit ${formatNumber(ev.threshold_kmh)} km/h` : '';
      return `${route}${formatNumber(ev.distance_km)} km in ${formatHours(ev.hours)} (${formatNumber(ev.speed_kmh)} km/h${limit})`;
    }
    case 'device_spike': {
      const count = ev.count ?? (Array.isArray(ev.new_devices) ? ev.new_devices.length : '?');
      return `${count} new devices in ${formatNumber(ev.window_hours ?? 24)} h (limit ${ev.threshold ?? '?'})`;
    }
    default: {
      const keys = Object.keys(ev);
      return keys.length ? keys.map((k) => `${k}: ${JSON.stringify(ev[k])}`).join(', ') : 'No evidence recorded';
    }
  }
}

/** The devices of an alert by name: device_names beside the keys (issue 13), else the keys. */
function evidenceDevices(ev) {
  const keys = ev.devices ?? ev.device_keys;
  if (Array.isArray(keys)) {
    const names = Array.isArray(ev.device_names) ? ev.device_names : [];
    return keys.map((k, i) => names[i] || deviceName(k));
  }
  if (Array.isArray(ev.new_devices)) return ev.new_devices.map(deviceName);
  return [];
}

/** Secondary facts: which devices, which places and addresses. */
export function evidenceDetails(alert) {
  const ev = evidenceOf(alert);
  const out = [];
  const devices = evidenceDevices(ev);
  if (devices.length) out.push(`Devices: ${devices.join(', ')}`);
  const locs = locationsOf(ev);
  if (locs.length && locs.some((l) => l?.country)) {
    out.push(`Places: ${locs.map((l) => [l?.city, l?.country].filter(Boolean).join(', ') || 'unknown').join(' · ')}`);
  }
  const ips = ev.ip_addresses ?? ev.ips;
  if (Array.isArray(ips) && ips.length) out.push(`Addresses: ${ips.join(', ')}`);
  return out;
}
