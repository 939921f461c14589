// A phone at 390 px: no page scrolls sideways. Wide tables and code scroll inside their own
// box; the page itself stays as wide as the screen.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, STEP_TIMEOUT, assertClean, login, api, screenshot } from './lib/harness.mjs';

describe('phone width (390 px)', { timeout: 120_000 }, () => {
  const h = harness('phone');
  let w;
  let contactId;
  let invoiceId;
  before(async () => {
    await h.start();
    const token = await h.server.token();
    const c = await api(h.server, token, 'POST', '/contacts', {
      name: 'Schmale Bildschirme GmbH & Co. KG', street: 'Sehr lange Straßenbezeichnung 123', postal_code: '10115', city: 'Berlin', country: 'DE',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    contactId = c.json.id;
    const a = await api(h.server, token, 'POST', '/articles', {
      number: 'LANG-1', name: 'Ein Artikel mit einem recht langen Namen', unit: 'HUR', unit_price: '1234.5678', vat_rate: '19',
    });
    assert.equal(a.status, 201, JSON.stringify(a.json));
    const d = await api(h.server, token, 'POST', '/documents', {
      type: 'invoice',
      contact_id: contactId,
      delivery_date: new Date().toISOString().slice(0, 10),
      lines: [{ description: 'Beratung und Umsetzung einer sehr ausführlich beschriebenen Leistung', quantity: '12.5', unit_price: '1234.5678', vat_rate: '19' }],
    });
    assert.equal(d.status, 201, JSON.stringify(d.json));
    invoiceId = d.json.id;
    const issued = await api(h.server, token, 'POST', `/documents/${invoiceId}/issue`, {});
    assert.equal(issued.status, 200, JSON.stringify(issued.json));
    w = await h.open();
    await login(w.page);
    await w.page.setViewportSize({ width: 390, height: 844 });
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('no page is wider than the screen', async () => {
    const { page } = w;
    const pages = [
      '/', '/documents', '/documents/new?type=invoice', `/documents/${invoiceId}`,
      '/contacts', '/contacts/new', `/contacts/${contactId}`, '/articles', '/articles/new',
      '/settings', '/settings/backups', '/settings/security', '/account',
    ];
    const wide = [];
    for (const p of pages) {
      const r = await page.goto(p);
      assert.ok(r.ok(), `${p}: HTTP ${r.status()}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${p}: ${width} px`);
    }
    assert.deepEqual(wide, [], 'pages that scroll sideways at 390 px');
    await page.goto(`/documents/${invoiceId}`);
    await screenshot(page, '20-phone-invoice');
    assertClean(w);
  });
});
