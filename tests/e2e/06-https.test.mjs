// Kontor terminating TLS itself (`kontor serve --tls-cert --tls-key`): Chromium speaks
// HTTP/2 there, where requests carry the host as the :authority pseudo-header and no Host
// header. Logging in, saving a form and downloading a document must work as over HTTP/1.1.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, STEP_TIMEOUT, assertClean, login, submitAndWait, api } from './lib/harness.mjs';

// The server's certificate is self-signed, made for this run; this file's own HTTP calls
// (start-up check, set-up, API) accept it as the browser context does.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

describe('HTTPS with HTTP/2: login, a form, a download', { timeout: 120_000 }, () => {
  const h = harness('https');
  let w;
  let token;
  let invoiceId;
  before(async () => {
    await h.start({ tls: true });
    token = await h.server.token();
    const c = await api(h.server, token, 'POST', '/contacts', {
      name: 'Sicher GmbH', street: 'Torweg 1', postal_code: '10115', city: 'Berlin', country: 'DE',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    const d = await api(h.server, token, 'POST', '/documents', {
      type: 'invoice',
      contact_id: c.json.id,
      delivery_date: new Date().toISOString().slice(0, 10),
      lines: [{ description: 'Beratung', quantity: '2', unit_price: '95', vat_rate: '19' }],
    });
    assert.equal(d.status, 201, JSON.stringify(d.json));
    invoiceId = d.json.id;
    const issued = await api(h.server, token, 'POST', `/documents/${invoiceId}/issue`, {});
    assert.equal(issued.status, 200, JSON.stringify(issued.json));
    w = await h.open({ ignoreHTTPSErrors: true });
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('the login form works over HTTP/2', async () => {
    const { page } = w;
    await login(page);
    const protocol = await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);
    assert.equal(protocol, 'h2', 'Chromium negotiated HTTP/2');
    assert.ok(page.url().startsWith('https://127.0.0.1:'));
  });

  h.step('a form is saved (same-origin POST with its CSRF token)', async () => {
    const { page } = w;
    await page.goto('/contacts/new');
    await page.fill('#f-name', 'Formular über HTTP/2 GmbH');
    await page.fill('#f-country', 'DE');
    const resp = await submitAndWait(w, '#save');
    assert.equal(resp.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/contacts\/\d+$/);
    assert.match(await page.locator('main h1').innerText(), /Formular über HTTP\/2 GmbH/);
  });

  h.step('the issued invoice downloads as a PDF', async () => {
    const { page } = w;
    await page.goto(`/documents/${invoiceId}`);
    const href = await page.getAttribute('#pdf-download', 'href');
    const got = await page.evaluate(async (url) => {
      const r = await fetch(url);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    }, href);
    assert.deepEqual(got, { status: 200, type: 'application/pdf', head: '%PDF-' });
    assertClean(w);
  });
});
