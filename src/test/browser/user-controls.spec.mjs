// The user panel (webroot/user-controls.js, issue 15) in headless Chromium (Debian's, never a
// downloaded one), against a running node. Run by UserControlsBrowserTest: BASE_URL and ADMIN_KEY name
// the node. An admin opens a user from the sessions table, exempts them from a rule, sets a threshold,
// trusts a seen device and adds one by key; every change is checked through the API. Exits 0 when every
// check passed.
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

async function api(method, path, body) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let step = 'setup';
function check(cond, message) {
  if (!cond) throw new Error(`${step}: ${message}`);
}
function log(message) {
  console.log(`[user-controls] ${message}`);
}

const pageErrors = [];
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let exitCode = 1;
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('pageerror', (err) => pageErrors.push(String(err)));
page.on('console', (msg) => {
  // 4xx answers are logged by Chromium itself; the panel shows them
  if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
});
page.setDefaultTimeout(20000);

try {
  step = 'seed';
  const user = randomUUID();
  const deviceKey = `dev-${randomUUID()}`;
  const start = await api('POST', '/api/v1/analytics/sessions', {
    user_id: user, user_name: 'Skyler White', content_type: 'movie', content_id: randomUUID(),
    content_title: 'Panel Test Movie', client_name: 'Plex Web', device_name: 'Family Room TV', device_id: deviceKey,
    ip_address: '192.168.1.20',
  });
  check(start.status === 201, `session start answered ${start.status}`);
  const sessionId = start.body.id;

  step = 'sign in';
  await page.goto(BASE_URL + '/');
  await page.getByLabel('API key or JWT').fill(ADMIN_KEY);
  await page.getByLabel('API key or JWT').press('Enter');
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  const row = page.locator(`#sessions tbody tr[data-id="${sessionId}"]`);
  await row.waitFor();

  step = 'open the user';
  // the name leads to the user's page, where the panel renders
  await row.getByRole('link', { name: 'Skyler White' }).click();
  await page.waitForURL(`**/#/users/${user}`);
  const panel = page.locator('#user-controls');
  await panel.waitFor({ state: 'visible' });
  await panel.locator('[data-testid="trust-score"]').waitFor();
  const trustText = await panel.locator('[data-testid="trust-score"]').innerText();
  check(trustText.includes('100'), `a user without alerts is fully trusted: ${trustText}`);
  await panel.locator(`li[data-device-key="${deviceKey}"]`, { hasText: 'Family Room TV' }).waitFor();
  log('the panel shows the user, trust 100 and the device');

  step = 'bad threshold';
  await panel.getByLabel('Concurrent streams threshold (devices at once)').fill('-1');
  await panel.getByRole('button', { name: 'Save rules' }).click();
  await panel.locator('.user-rules .error', { hasText: 'thresholds.concurrent_streams' }).waitFor();
  const unchanged = await api('GET', `/api/v1/analytics/users/${user}/rules`);
  check(Object.keys(unchanged.body.thresholds).length === 0, `a refused threshold changes nothing: ${JSON.stringify(unchanged.body)}`);
  log('a negative threshold is refused, naming the field');

  step = 'edit an exemption';
  await panel.getByLabel('Impossible location', { exact: true }).check();
  await panel.getByLabel('Concurrent streams threshold (devices at once)').fill('5');
  await panel.getByRole('button', { name: 'Save rules' }).click();
  await panel.locator('.status', { hasText: 'Rules saved.' }).waitFor();
  const rules = await api('GET', `/api/v1/analytics/users/${user}/rules`);
  check(rules.status === 200, `rules answered ${rules.status}`);
  check(JSON.stringify(rules.body.exempt) === JSON.stringify(['geo_impossible']), `exempt saved: ${JSON.stringify(rules.body)}`);
  check(rules.body.thresholds.concurrent_streams === 5, `threshold saved: ${JSON.stringify(rules.body)}`);
  check(await panel.getByLabel('Impossible location', { exact: true }).isChecked(), 'the redrawn panel shows the exemption');
  log('exempted from geo_impossible, own concurrent-streams threshold 5');

  step = 'trust a seen device';
  await panel.getByRole('button', { name: 'Trust Family Room TV' }).click();
  await panel.locator(`li[data-device-key="${deviceKey}"] .badge.trusted`).waitFor();
  let trusted = await api('GET', `/api/v1/analytics/users/${user}/trusted-devices`);
  check(trusted.body.items.some((d) => d.device_key === deviceKey), `trusted through the API: ${JSON.stringify(trusted.body)}`);
  log('the seen device is trusted');

  step = 'add a trusted device by key';
  await panel.getByLabel('Device key to trust').fill('console-1234');
  await panel.getByLabel('Label').fill('Game console');
  await panel.getByRole('button', { name: 'Add trusted device' }).click();
  await panel.locator('li[data-device-key="console-1234"] .badge.trusted').waitFor();
  trusted = await api('GET', `/api/v1/analytics/users/${user}/trusted-devices`);
  const consoleDevice = trusted.body.items.find((d) => d.device_key === 'console-1234');
  check(consoleDevice && consoleDevice.label === 'Game console', `added with its label: ${JSON.stringify(trusted.body)}`);
  log('a device added by key is trusted');

  step = 'stop trusting';
  await panel.getByRole('button', { name: 'Stop trusting Family Room TV' }).click();
  await panel.locator('.status', { hasText: 'no longer trusted' }).waitFor();
  trusted = await api('GET', `/api/v1/analytics/users/${user}/trusted-devices`);
  check(!trusted.body.items.some((d) => d.device_key === deviceKey), 'no longer trusted through the API');

  step = 'labels';
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#user-controls input, #user-controls select')]
    .filter((e) => e.labels.length === 0).map((e) => e.id || e.name));
  check(unlabelled.length === 0, `controls without a label: ${unlabelled}`);

  step = 'screenshot';
  await panel.screenshot({ path: `${OUT}/user-controls.png` });

  step = 'page errors';
  check(pageErrors.length === 0, `errors in the page: ${pageErrors.join(' / ')}`);
  log('passed');
  exitCode = 0;
} catch (err) {
  console.error(`FAILED at ${step}: ${err.message}`);
  try { await page.screenshot({ path: `${OUT}/user-controls-failure.png`, fullPage: true }); } catch { /* best effort */ }
} finally {
  await browser.close();
  process.exit(exitCode);
}
