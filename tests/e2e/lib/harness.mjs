// Harness for Kontor's browser tests: starts `kontor serve` on a free 127.0.0.1 port with a
// fresh data folder, launches Debian's headless Chromium through playwright-core (never a
// downloaded browser), and offers the small helpers the test files share.
//
// Everything here is bounded in time: server start, page actions, navigations, CLI calls,
// and a watchdog that ends the whole test file if it ever hangs.

import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(HERE, '..');
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
export const CHROMIUM = process.env.KONTOR_CHROMIUM || '/usr/bin/chromium';

/** How long one test step may take (node:test `timeout`). */
export const STEP_TIMEOUT = 60_000;
/** How long a whole test file may take before the watchdog ends it. */
const FILE_WATCHDOG_MS = Number(process.env.KONTOR_E2E_WATCHDOG_MS || 240_000);

export const ADMIN = { username: 'anna.admin', password: 'e2e-secret-password-1' };
export const COMPANY = {
  name: 'Kontor Testfirma GmbH',
  street: 'Hauptstraße 1',
  postal_code: '10115',
  city: 'Berlin',
  country: 'DE',
  vat_id: 'DE123456788',
  tax_number: '30/123/45678',
};

/** The kontor binary: KONTOR_BIN, else the debug build in CARGO_TARGET_DIR. */
export function kontorBin() {
  if (process.env.KONTOR_BIN) return process.env.KONTOR_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(homedir(), '.cache', 'kontor', 'target');
  return path.join(target, 'debug', 'kontor');
}

// ------------------------------------------------------------------ cleanup and watchdog

const children = new Set();
const dataDirs = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  // Exit through 'exit' so the servers (above) and the browsers (playwright) are ended too.
  process.once(signal, () => process.exit(code));
}
const watchdog = setTimeout(() => {
  console.error(`e2e: watchdog: ${path.basename(process.argv[1] || '?')} ran longer than ${FILE_WATCHDOG_MS} ms, ending it`);
  process.exit(3);
}, FILE_WATCHDOG_MS);
watchdog.unref();

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Environment for kontor: SQLite in the data folder, nothing inherited that points elsewhere. */
function kontorEnv() {
  const env = { ...process.env, RUST_BACKTRACE: '1', NO_COLOR: '1' };
  for (const k of Object.keys(env)) {
    if (k.startsWith('KONTOR_') && k !== 'KONTOR_BIN') delete env[k];
  }
  return env;
}

// ------------------------------------------------------------------ server

/**
 * A self-signed certificate for 127.0.0.1 (ECDSA P-256, one day) made by openssl in `dir`;
 * returns the paths of the certificate and the key.
 */
function selfSignedCertificate(dir) {
  const cert = path.join(dir, 'tls-cert.pem');
  const key = path.join(dir, 'tls-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore', timeout: 20_000 });
  return { cert, key };
}

/**
 * Starts `kontor --data-dir TMP serve --listen 127.0.0.1:PORT`, waits for /healthz. With
 * `{ tls: true }` the server terminates TLS itself with a self-signed certificate (HTTPS,
 * HTTP/2 by ALPN); the test file must then accept that certificate (see 06-https).
 * Returns { url, port, dataDir, stop(), cli(args), token(user) }.
 */
export async function startServer(name, { tls = false } = {}) {
  const bin = kontorBin();
  assert.ok(existsSync(bin), `kontor binary not found at ${bin} (build it with cargo build -p kontor or set KONTOR_BIN)`);
  mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), `kontor-e2e-${name}-`));
  dataDirs.add(dataDir);
  const logPath = path.join(ARTIFACTS, 'logs', `${name}.server.log`);
  const log = createWriteStream(logPath);
  let lastError = null;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const args = ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`];
    if (tls) {
      const files = selfSignedCertificate(dataDir);
      args.push('--tls-cert', files.cert, '--tls-key', files.key);
    }
    const child = spawn(bin, args, {
      env: kontorEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    const keep = (b) => { output += b.toString(); log.write(b); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; children.delete(child); });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (r.ok) {
          return makeServer({ name, bin, dataDir, url, port, child, log, logPath, output: () => output });
        }
      } catch { /* not up yet */ }
      await sleep(100);
    }
    if (!exited) child.kill('SIGKILL');
    lastError = `kontor did not come up on ${url} (attempt ${attempt}, exit ${JSON.stringify(exited)}):\n${output.slice(-2000)}`;
    if (!/cannot listen|address in use/i.test(output)) break;
  }
  log.end();
  rmSync(dataDir, { recursive: true, force: true });
  throw new Error(lastError);
}

function makeServer({ name, bin, dataDir, url, port, child, log, logPath, output }) {
  const server = {
    name, bin, dataDir, url, port, logPath,
    /** What the server printed so far (standard output and error). */
    output,
    /** The first-run setup code, as `kontor serve` printed it for the person who started it. */
    setupCode() {
      const m = output().match(/setup code: (\S+)/);
      assert.ok(m, `kontor serve printed no setup code:\n${output().slice(-2000)}`);
      return m[1];
    },
    /** Runs a kontor CLI command against this data folder; resolves to stdout. */
    cli(args, input) {
      return new Promise((resolve, reject) => {
        const p = execFile(bin, ['--data-dir', dataDir, ...args], { env: kontorEnv(), timeout: 20_000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`kontor ${args.join(' ')} failed: ${err.message}\n${stderr}`));
          else resolve(stdout);
        });
        if (input !== undefined) p.stdin.end(input);
      });
    },
    /** Creates an API token for `user` with the CLI. */
    async token(user = ADMIN.username) {
      const out = await server.cli(['token', 'create', `e2e-${Date.now()}`, '--user', user]);
      const token = out.trim().split(/\s+/).pop();
      assert.ok(token && token.length >= 16, `no token printed: ${out}`);
      return token;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      children.delete(child);
      log.end();
      rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
    },
  };
  return server;
}

/** The first-run setup over plain HTTP (for test files that do not test the setup page). */
export async function setupViaHttp(server, admin = ADMIN, company = COMPANY) {
  const body = new URLSearchParams({
    setup_code: server.setupCode(), ...company, username: admin.username, password: admin.password, password2: admin.password,
  });
  const r = await fetch(`${server.url}/setup`, {
    method: 'POST',
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(r.status, 303, `setup failed: HTTP ${r.status}`);
}

/** The JSON API with a Bearer token; resolves to { status, json }. */
export async function api(server, token, method, apiPath, body) {
  const r = await fetch(`${server.url}/api/v1${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: r.status, json };
}

// ------------------------------------------------------------------ browser

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Nothing but the local test server is ever resolved.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A fresh browser context and page on the server, with watchers: page errors, console errors
 * (CSP violations, script errors), dialogs and any request that leaves 127.0.0.1.
 * Dialogs are accepted only while `w.expectDialogs` > 0 (each one consumes one), otherwise
 * recorded as unexpected and dismissed.
 */
export async function openPage(browser, server, options = {}) {
  const { locale = 'de-DE', bypassCSP = false, ignoreHTTPSErrors = false } = options;
  const context = await browser.newContext({
    baseURL: server.url,
    locale,
    bypassCSP,
    ignoreHTTPSErrors,
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const w = {
    context,
    page,
    errors: [],
    dialogs: [],
    unexpectedDialogs: [],
    foreignRequests: [],
    expectDialogs: 0,
  };
  page.on('pageerror', (e) => w.errors.push(`pageerror on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Non-2xx answers (401 login, 422 forms, 422 live totals while typing) are expected.
    if (/^Failed to load resource: the server responded with a status of (401|404|409|422)/.test(text)) return;
    w.errors.push(`console error on ${page.url()}: ${text}`);
  });
  page.on('dialog', async (d) => {
    w.dialogs.push({ type: d.type(), message: d.message() });
    if (w.expectDialogs > 0) {
      w.expectDialogs -= 1;
      await d.accept();
    } else {
      w.unexpectedDialogs.push(`${d.type()}: ${d.message()} on ${page.url()}`);
      await d.dismiss();
    }
  });
  context.on('request', (req) => {
    const u = new URL(req.url());
    if (['data:', 'blob:', 'about:'].includes(u.protocol)) return;
    if (u.hostname !== '127.0.0.1') w.foreignRequests.push(req.url());
  });
  return w;
}

/** Fails if the page had script errors, CSP violations, unexpected dialogs or foreign requests. */
export function assertClean(w) {
  assert.deepEqual(w.errors, [], 'page or console errors');
  assert.deepEqual(w.unexpectedDialogs, [], 'unexpected dialogs');
  assert.deepEqual(w.foreignRequests, [], 'requests to hosts other than 127.0.0.1');
}

/** Logs in through the login form and waits for the dashboard. */
export async function login(page, user = ADMIN) {
  await page.goto('/login');
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('form[action="/login"] button[type=submit]')]);
}

/**
 * Navigates by clicking `selector` (a submit button or link) and returns the main response.
 * Accepts `dialogs` confirm() dialogs on the way.
 */
export async function submitAndWait(w, selector, { dialogs = 0 } = {}) {
  w.expectDialogs += dialogs;
  const [response] = await Promise.all([
    w.page.waitForNavigation({ waitUntil: 'load' }),
    w.page.click(selector),
  ]);
  return response;
}

/** A full-page PNG in tests/e2e/artifacts/. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Document id from a /documents/{id} URL. */
export function docIdFromUrl(url) {
  const m = new URL(url).pathname.match(/^\/documents\/(\d+)$/);
  assert.ok(m, `not a document URL: ${url}`);
  return Number(m[1]);
}

/** "1234.5" → "1.234,50 €" (how German pages show money). */
export function euroDe(amount) {
  const n = Number(amount);
  const [int, frac] = Math.abs(n).toFixed(2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${n < 0 ? '-' : ''}${grouped},${frac} €`;
}

/** Everything one test file needs: server, browser, cleanup. */
export function harness(name) {
  const h = { server: null, browser: null, pages: [], failed: null };
  const failures = path.join(ARTIFACTS, 'failures');
  mkdirSync(failures, { recursive: true });
  for (const f of readdirSync(failures)) {
    if (f.startsWith(`${name}-`)) rmSync(path.join(failures, f), { force: true });
  }
  h.start = async ({ setup = true, tls = false } = {}) => {
    h.server = await startServer(name, { tls });
    if (setup) await setupViaHttp(h.server);
    h.browser = await launchBrowser();
  };
  h.open = async (options) => {
    const w = await openPage(h.browser, h.server, options);
    h.pages.push(w);
    return w;
  };
  // One step of a story: skipped once an earlier step failed (later steps build on it);
  // a failing step leaves a screenshot of every open page in artifacts/failures/.
  h.step = (title, fn) => it(title, { timeout: STEP_TIMEOUT }, async (t) => {
    if (h.failed) {
      t.skip(`an earlier step failed: ${h.failed}`);
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      h.failed = title;
      const slug = title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      for (const [i, w] of h.pages.entries()) {
        await w.page.screenshot({ path: path.join(ARTIFACTS, 'failures', `${name}-${slug}-${i}.png`), fullPage: true, timeout: 5_000 })
          .catch(() => {});
      }
      throw e;
    }
  });
  h.stop = async () => {
    for (const w of h.pages) await w.context.close().catch(() => {});
    if (h.browser) await h.browser.close().catch(() => {});
    if (h.server) await h.server.stop();
  };
  return h;
}
