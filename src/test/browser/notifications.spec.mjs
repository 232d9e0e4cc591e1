// Settings → Notifications in headless Chromium (Debian's), against a running node (BASE_URL, ADMIN_KEY) whose
// notifications.max_attempts is 1. The webhook receiver is a real HTTP server in this process: it records
// every request and answers what the step asks. Run by NotificationsBrowserTest; exits 0 when every check
// passed.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
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

let step = 'setup';
function check(cond, message) {
  if (!cond) throw new Error(`${step}: ${message}`);
}
function log(message) {
  console.log(`[notifications] ${message}`);
}

// ---- the receiver
const received = [];
let answer = 200;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    received.push({ event: req.headers['x-analytics-event'], delivery: req.headers['x-analytics-delivery'], body, answered: answer });
    res.writeHead(answer, { 'Content-Type': 'text/plain' });
    res.end(answer === 200 ? 'thanks' : 'receiver broken');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const HOOK = `http://127.0.0.1:${receiver.address().port}/hook`;

async function waitFor(what, cond, ms = 20000) {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`${step}: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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

/** Four streams of one user at once: the detector raises concurrent_streams. */
async function raiseAlert() {
  const user = randomUUID();
  for (let i = 1; i <= 4; i++) {
    const res = await api('POST', '/api/v1/analytics/sessions', {
      user_id: user, content_type: 'movie', content_id: randomUUID(), content_title: `Alert film ${i}`,
      client_name: 'Plex Web', device_name: `Device ${i}`, device_id: `dev-${randomUUID()}`, ip_address: '192.168.1.20',
    });
    check(res.status === 201, `a start answered ${res.status}`);
  }
  return user;
}

/** The Notifications settings: its own page after the dashboard's split into pages, a section before. */
async function openNotifications(page) {
  const link = page.getByRole('link', { name: /^Settings$/ });
  if (await link.count() > 0) await link.first().click();
  const section = page.locator('#notifications');
  await section.waitFor({ state: 'visible' });
  return section;
}

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const pageErrors = [];
let exitCode = 1;
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('pageerror', (err) => pageErrors.push(String(err)));
page.setDefaultTimeout(20000);

try {
  step = 'sign in';
  await page.goto(BASE_URL + '/');
  await page.getByLabel('API key or JWT').fill(ADMIN_KEY);
  await page.getByLabel('API key or JWT').press('Enter');
  await page.locator('.connection[data-state="live"]').waitFor();
  const section = await openNotifications(page);

  step = 'add a webhook channel';
  await section.getByRole('button', { name: 'Add channel' }).click();
  const form = page.locator('#notify-form');
  await form.getByLabel('Name').fill('Browser hook');
  await form.getByLabel('Type').selectOption('webhook');
  await form.getByLabel('Events (comma-separated)').fill('alert.raised');
  await form.getByLabel('URL').fill(HOOK);
  await form.getByLabel('Signing secret (16+ characters)').fill('browser-secret-0123456789');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('#notify-status', { hasText: 'Saved Browser hook.' }).waitFor();
  const channelRow = page.locator('#notify-channels tbody tr', { hasText: 'Browser hook' });
  await channelRow.waitFor();
  const rowText = await channelRow.innerText();
  check(rowText.includes('webhook') && rowText.includes('alert.raised') && rowText.includes('api'), `row: ${rowText}`);
  check(!rowText.includes('browser-secret'), 'the secret is not shown');
  const stored = (await api('GET', '/api/v1/analytics/notifications/channels')).body.items.find((c) => c.name === 'Browser hook');
  check(stored && stored.secret_set === true && stored.secret === undefined, `the API keeps the secret write-only: ${JSON.stringify(stored)}`);
  log('channel added through the form; the secret is write-only');

  step = 'test the channel';
  await channelRow.getByRole('button', { name: 'Test' }).click();
  await page.locator('#notify-status', { hasText: 'Browser hook: delivered — HTTP 200 — thanks' }).waitFor();
  check(received.some((r) => r.event === 'test'), `the receiver got the test message: ${JSON.stringify(received.map((r) => r.event))}`);
  log('Test answered with what the receiver said');

  step = 'edit keeps the secret';
  await channelRow.getByRole('button', { name: 'Edit' }).click();
  const secretInput = form.getByLabel('Signing secret (16+ characters)');
  check(await secretInput.inputValue() === '', 'the secret field starts empty');
  check(await secretInput.getAttribute('placeholder') === '(set; leave empty to keep)', 'the field says a secret is set');
  check(await secretInput.getAttribute('type') === 'password', 'the secret field is a password field');
  await form.getByLabel('Name').fill('Browser hook 2');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('#notify-status', { hasText: 'Saved Browser hook 2.' }).waitFor();
  const renamed = page.locator('#notify-channels tbody tr', { hasText: 'Browser hook 2' });
  await renamed.waitFor();
  const kept = (await api('GET', '/api/v1/analytics/notifications/channels')).body.items.find((c) => c.name === 'Browser hook 2');
  check(kept && kept.secret_set === true, 'the secret survived the edit');
  log('edited the name; the secret was kept');

  step = 'a failed delivery is sent again';
  answer = 500;
  const before = received.length;
  await raiseAlert();
  await waitFor('the receiver to see the alert once (max_attempts 1)', () => received.length > before);
  await page.locator('#notify-filter').selectOption('failed');
  const failedRow = page.locator('#notify-deliveries tbody tr', { hasText: 'Browser hook 2' });
  await waitFor('the failed delivery in the log', async () => {
    await page.locator('#notify-filter').selectOption('');
    await page.locator('#notify-filter').selectOption('failed');
    return (await failedRow.count()) > 0;
  });
  const failedText = await failedRow.first().innerText();
  check(failedText.includes('failed') && failedText.includes('HTTP 500'), `the log says why: ${failedText}`);
  answer = 200;
  await failedRow.first().getByRole('button', { name: 'Send again' }).click();
  await page.locator('#notify-status', { hasText: 'Queued again.' }).waitFor();
  await waitFor('the re-sent delivery to arrive', () => received.some((r) => r.event === 'alert.raised' && r.answered === 200));
  const attempts = received.filter((r) => r.event === 'alert.raised');
  check(new Set(attempts.map((r) => r.delivery)).size === 1, `both attempts carry one delivery id: ${JSON.stringify(attempts.map((r) => r.delivery))}`);
  await page.locator('#notify-filter').selectOption('delivered');
  await page.locator('#notify-deliveries tbody tr', { hasText: 'Browser hook 2' }).first().waitFor();
  log('a failed delivery was sent again from the log and delivered with the same id');
  await page.screenshot({ path: `${OUT}/notifications.png`, fullPage: true });

  step = 'remove the channel';
  page.once('dialog', (d) => d.accept());
  await renamed.getByRole('button', { name: 'Remove' }).click();
  await page.locator('#notify-status', { hasText: 'Removed Browser hook 2.' }).waitFor();
  await waitFor('the row to leave the table', async () => (await page.locator('#notify-channels tbody tr', { hasText: 'Browser hook 2' }).count()) === 0);
  const left = (await api('GET', '/api/v1/analytics/notifications/channels')).body.items.filter((c) => c.name.startsWith('Browser hook'));
  check(left.length === 0, 'the channel is gone on the server');
  log('removed after the confirmation');

  check(pageErrors.length === 0, `no page errors: ${pageErrors.join(' | ')}`);
  log('passed');
  exitCode = 0;
} catch (err) {
  console.error(`[notifications] FAILED ${err.stack || err}`);
  try { await page.screenshot({ path: `${OUT}/notifications-failure.png`, fullPage: true }); } catch { /* best effort */ }
} finally {
  await browser.close();
  receiver.close();
  process.exit(exitCode);
}
