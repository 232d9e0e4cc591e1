// The dashboard in headless Chromium (Debian's, never a downloaded one), against a running node that
// uses the GeoIP test fixture (src/test/resources/geoip). Run by DashboardBrowserTest: BASE_URL and
// ADMIN_KEY name the node. Exits 0 when every check passed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const BASE_URL = process.env.BASE_URL;
const ADMIN_KEY = process.env.ADMIN_KEY;
const OUT = process.env.SCREENSHOT_DIR ?? 'target';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!BASE_URL || !ADMIN_KEY) {
  console.error('BASE_URL and ADMIN_KEY are required');
  process.exit(2);
}

// fixture networks: Paris 90.80.10.0/24, Syracuse 24.24.24.0/24
const PARIS_IP = '90.80.10.7';
const SYRACUSE_IP = '24.24.24.24';

async function api(method, path, body) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function sessionBody(title, device, user, ip) {
  return {
    user_id: user, content_type: 'movie', content_id: randomUUID(), content_title: title,
    client_name: 'Plex Web', device_name: device, device_id: `dev-${randomUUID()}`, ip_address: ip,
    resolution: '1080p', transcoded: true, bandwidth_kbps: 8000,
  };
}

async function startSession(title, device = 'Living room TV', user = randomUUID(), ip = PARIS_IP, names = {}) {
  const res = await api('POST', '/api/v1/analytics/sessions', { ...sessionBody(title, device, user, ip), ...names });
  check(res.status === 201, `session start answered ${res.status}`);
  return res.body.id;
}

let step = 'setup';
function check(cond, message) {
  if (!cond) throw new Error(`${step}: ${message}`);
}
function log(message) {
  console.log(`[dashboard] ${message}`);
}

const pageErrors = [];
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let exitCode = 1;
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (err) => pageErrors.push(String(err)));
page.on('console', (msg) => {
  // fetch answers of 4xx are logged by Chromium itself; the page handles them (n/a)
  if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
});
page.setDefaultTimeout(20000);

try {
  step = 'seed';
  const seeded = await startSession('Seeded Before Sign-in');

  step = 'sign-in page';
  await page.goto(BASE_URL + '/');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  check(await page.getByLabel('API key or JWT').count() === 1, 'the token field has a label');
  // issue 19: a first-time operator learns where the generated key is kept
  const keyHelp = (await page.locator('#sign-in').innerText()).replace(/\s+/g, ' ');
  check(keyHelp.includes('The admin key was generated on first start and is in data/admin-api-key on the server'
      + ' (or the configured ANALYTICS_ADMIN_API_KEY)'), 'the sign-in page says where the admin key is: ' + keyHelp);

  step = 'wrong token';
  await page.getByLabel('API key or JWT').fill('certainly-not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sign-in-error', { hasText: 'not accepted' }).waitFor();

  step = 'sign in';
  await page.getByLabel('API key or JWT').fill(ADMIN_KEY);
  await page.getByLabel('API key or JWT').press('Enter');
  await page.locator('.connection[data-state="live"]').waitFor();
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  check(await page.evaluate(() => sessionStorage.getItem('tracearr.token')) === ADMIN_KEY, 'token kept in sessionStorage');
  await page.locator(`#sessions tbody tr[data-id="${seeded}"]`).waitFor();
  log('signed in; the snapshot shows the seeded session');

  step = 'session appears without reload';
  await page.evaluate(() => { window.__noReload = 'still here'; });
  const live = await startSession('Browser Test Movie', 'Bedroom Chromecast');
  const row = page.locator(`#sessions tbody tr[data-id="${live}"]`);
  await row.waitFor();
  const rowText = await row.innerText();
  check(rowText.includes('Browser Test Movie') && rowText.includes('Bedroom Chromecast') && rowText.includes('Plex Web'),
    `row shows title, device and client: ${rowText}`);
  check(rowText.includes('transcode') && rowText.includes('1080p'), `row shows quality: ${rowText}`);
  check(await page.evaluate(() => window.__noReload) === 'still here', 'the page was not reloaded');
  log('a session started through the API appeared live');

  step = 'names';
  const episode = await startSession("Cat's in the Bag...", 'Den Apple TV', randomUUID(), PARIS_IP, {
    content_type: 'episode', user_name: 'Walter White', series_title: 'Breaking Bad', season_number: 1,
    episode_number: 2, year: 2008,
  });
  const episodeRow = page.locator(`#sessions tbody tr[data-id="${episode}"]`);
  await episodeRow.waitFor();
  const episodeText = await episodeRow.innerText();
  check(episodeText.includes("Breaking Bad S01E02 — Cat's in the Bag..."), `the episode by its series and title: ${episodeText}`);
  check(episodeText.includes('Walter White') && episodeText.includes('Den Apple TV'), `the user and device by name: ${episodeText}`);
  log(`named session shown: ${episodeText.split('\n').join(' | ')}`);

  step = 'session update';
  const hb = await api('PUT', `/api/v1/analytics/sessions/${live}`, { status: 'paused', position_seconds: 754 });
  check(hb.status === 204, `heartbeat answered ${hb.status}`);
  await row.locator('td', { hasText: 'paused' }).waitFor();
  await row.locator('td', { hasText: '12:34' }).waitFor();
  log('a heartbeat updated the row (paused at 12:34)');

  step = 'figures';
  const active = await page.locator('#fig-active').innerText();
  check(Number(active) >= 2, `active streams figure counts the live table: ${active}`);

  step = 'alert appears';
  // one account streaming in Paris and in Syracuse at once, on two devices: the real detector judges it
  const sharer = randomUUID();
  await startSession('Shared Account Movie', 'Paris TV', sharer, PARIS_IP, { user_name: 'Skyler White' });
  await startSession('Shared Account Movie', 'Syracuse Laptop', sharer, SYRACUSE_IP);
  const item = page.locator('#alerts li', { hasText: 'km apart: Paris ↔ Syracuse' });
  await item.waitFor();
  const alertText = await item.innerText();
  // numbers are in the browser's locale: 5,819 / 5 819 / 5.819
  check(/2 streams \d[\d\s,.\u00a0\u202f]* km apart: Paris ↔ Syracuse/.test(alertText), `alert evidence in words: ${alertText}`);
  check(alertText.includes('Skyler White'), `the alert names the user: ${alertText}`);
  check(alertText.includes('Paris TV') && alertText.includes('Syracuse Laptop'), `the alert names the devices: ${alertText}`);
  log(`alert shown: ${alertText.split('\n').join(' | ')}`);
  // issue 15, one situation, one alert: the overlapping pair is not also impossible travel; travel needs
  // one session ended before the other started (here 70 min before, on another account)
  const traveller = randomUUID();
  const minutesAgo = (m) => new Date(Date.now() - m * 60000).toISOString();
  const parisEarlier = await startSession('Earlier Movie', 'Paris TV', traveller, PARIS_IP, { started_at: minutesAgo(80) });
  const ended = await api('DELETE', `/api/v1/analytics/sessions/${parisEarlier}`, { ended_at: minutesAgo(70) });
  check(ended.status === 204, `end answered ${ended.status}`);
  await startSession('Later Movie', 'Syracuse Laptop', traveller, SYRACUSE_IP);
  const travel = page.locator('#alerts li', { hasText: 'Paris → Syracuse' });
  await travel.waitFor();
  const sharerAlerts = await api('GET', `/api/v1/analytics/sharing/alerts?user_id=${sharer}`);
  check(sharerAlerts.body.items.length === 1, `streaming together is one alert: ${JSON.stringify(sharerAlerts.body.items.map((a) => a.alert_type))}`);
  check(/km\/h, limit 900 km\/h/.test(await travel.innerText()), `travel evidence in words: ${await travel.innerText()}`);
  const openBefore = Number(await page.locator('#fig-alerts').innerText());
  check(openBefore >= 2, `open alerts figure counts the feed: ${openBefore}`);

  step = 'dismiss';
  const alertId = await item.getAttribute('data-id');
  const button = item.getByRole('button', { name: /Dismiss/ });
  check(await button.isEnabled(), 'the dismiss button is enabled for an admin');
  const answered = page.waitForResponse((r) => r.url().includes(`/sharing/alerts/${alertId}/dismiss`));
  await button.focus();
  await page.keyboard.press('Enter');
  const response = await answered;
  check(response.ok(), `dismiss answered HTTP ${response.status()}`);
  await page.locator(`#alerts li[data-id="${alertId}"]`).waitFor({ state: 'detached' });
  await page.locator('#alerts-status', { hasText: 'Alert dismissed' }).waitFor();
  const open = await api('GET', `/api/v1/analytics/sharing/alerts/${alertId}`);
  check(open.body?.status === 'dismissed', `the alert is dismissed on the server: ${JSON.stringify(open.body)}`);
  log('dismissed with the keyboard; the alert left the feed and is dismissed on the server');

  step = 'chart';
  const bars = page.locator('#daily-chart svg rect.bar');
  // empty days are drawn as zero-height (invisible) bars: wait for one that carries data
  await page.locator('#daily-chart svg rect.bar:not([data-value="0"])').first().waitFor();
  check(await bars.count() === 30, `30 days drawn: ${await bars.count()}`);
  const values = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
  check(values.some((v) => v > 0), `the chart has data: ${values}`);
  check(await page.locator('#daily-chart svg').getAttribute('role') === 'img', 'the chart is labelled as an image');
  log(`chart drawn with ${values.length} bar(s), today ${values[values.length - 1]}`);

  step = 'popular';
  await page.locator('#popular-window').selectOption('month');
  await page.waitForFunction(() => document.querySelector('#popular-note').textContent !== ''
    || document.querySelectorAll('#popular tbody tr').length > 0);
  log(`popular: ${(await page.locator('#popular-note').innerText()) || 'table shown'}`);

  step = 'session ends';
  check((await api('DELETE', `/api/v1/analytics/sessions/${live}`)).status === 204, 'end answered 204');
  await row.waitFor({ state: 'detached' });
  log('an ended session left the table');

  step = 'reconnect and resync';
  await page.evaluate(() => window.tracearr.live.socket.close());
  await page.locator('.connection[data-state="reconnecting"]').waitFor();
  const whileAway = await startSession('Started While Disconnected');
  await page.locator('.connection[data-state="live"]').waitFor();
  await page.locator(`#sessions tbody tr[data-id="${whileAway}"]`).waitFor();
  log('reconnected; the fresh snapshot holds what started meanwhile');

  step = 'labels';
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
    .filter((e) => e.labels.length === 0).map((e) => e.id));
  check(unlabelled.length === 0, `controls without a label: ${unlabelled}`);

  step = 'screenshots';
  await page.screenshot({ path: `${OUT}/dashboard.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${OUT}/dashboard-phone.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no sideways scrolling of the page at phone width (${overflow}px)`);

  step = 'page errors';
  check(pageErrors.length === 0, `errors in the page: ${pageErrors.join(' / ')}`);
  log('passed');
  exitCode = 0;
} catch (err) {
  console.error(`FAILED at ${step}: ${err.message}`);
  try { await page.screenshot({ path: `${OUT}/dashboard-failure.png`, fullPage: true }); } catch { /* best effort */ }
} finally {
  await browser.close();
  process.exit(exitCode);
}
