// Issue 15 part A in headless Chromium (Debian's, never a downloaded one): an admin terminates a session
// from its row (dialog with the message, then the outcome), and the audit view lists it. Run by
// EnforceBrowserTest: BASE_URL and ADMIN_KEY name the node. Exits 0 when every check passed.
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
  console.log(`[enforce] ${message}`);
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
  if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
});
page.setDefaultTimeout(20000);

try {
  step = 'seed';
  const started = await api('POST', '/api/v1/analytics/sessions', {
    user_id: randomUUID(), user_name: 'Jesse Pinkman', content_type: 'movie', content_id: randomUUID(),
    content_title: 'Stream To Stop', client_name: 'Plex Web', device_name: 'Garage TV', device_id: `dev-${randomUUID()}`,
    ip_address: '90.80.10.7',
  });
  check(started.status === 201, `session start answered ${started.status}`);
  const id = started.body.id;

  step = 'sign in';
  await page.goto(BASE_URL + '/');
  await page.getByLabel('API key or JWT').fill(ADMIN_KEY);
  await page.getByLabel('API key or JWT').press('Enter');
  await page.locator('.connection[data-state="live"]').waitFor();
  const row = page.locator(`#sessions tbody tr[data-id="${id}"]`);
  await row.waitFor();

  step = 'terminate dialog';
  await row.getByRole('button', { name: 'Terminate' }).click();
  await page.locator('#terminate-dialog').waitFor({ state: 'visible' });
  await page.getByLabel('Message to the viewer (optional, up to 200 characters)').fill('Please stop sharing');
  await page.locator('#terminate-confirm').click();
  await page.locator('#terminate-outcome[data-outcome="terminated"]').waitFor();
  const outcome = await page.locator('#terminate-outcome').innerText();
  check(outcome.startsWith('Terminated'), `the outcome is shown: ${outcome}`);
  await row.waitFor({ state: 'detached' });
  log(`terminated from the dashboard: ${outcome}`);

  step = 'the session row';
  const s = await api('GET', `/api/v1/analytics/sessions/${id}`);
  check(s.body.ended_reason === 'terminated', `ended_reason ${s.body.ended_reason}`);
  await page.screenshot({ path: `${OUT}/enforce-dialog.png` });
  await page.locator('#terminate-cancel').click();

  step = 'audit view';
  // the audit view is on the Settings page
  await page.getByRole('link', { name: /^Settings$/ }).first().click();
  await page.locator('#audit').waitFor({ state: 'visible' });
  await page.locator('#audit-log tbody tr', { hasText: 'terminateSession' }).first().waitFor();
  const entry = await page.locator('#audit-log tbody tr', { hasText: 'terminateSession' }).first().innerText();
  check(entry.includes(id) && entry.includes('api-key:admin') && entry.includes('Please stop sharing'),
    `the audit view lists the terminate with actor and message: ${entry}`);
  log('the audit view lists it');

  check(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
  exitCode = 0;
  log('all checks passed');
} catch (err) {
  console.error(String(err));
  await page.screenshot({ path: `${OUT}/enforce-failure.png` }).catch(() => {});
} finally {
  await browser.close();
  process.exit(exitCode);
}
