// Quote → order confirmation → invoice, each issued in the browser and derived from the last.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, STEP_TIMEOUT, assertClean, login, submitAndWait, api, docIdFromUrl, euroDe } from './lib/harness.mjs';

describe('deriving documents: quote → order confirmation → invoice', { timeout: 180_000 }, () => {
  const h = harness('derive');
  let w;
  let token;
  let year;
  const ids = {};
  before(async () => {
    await h.start();
    token = await h.server.token();
    const c = await api(h.server, token, 'POST', '/contacts', {
      name: 'Beispiel AG', street: 'Am Markt 2', postal_code: '20095', city: 'Hamburg', country: 'DE',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    w = await h.open();
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  const rows = () => w.page.locator('#lines tbody tr.line');

  h.step('a quote is written and issued', async () => {
    const { page } = w;
    await page.goto('/documents/new?type=quote');
    assert.equal(await page.inputValue('#f-type'), 'quote');
    await page.fill('#f-contact', 'Beispiel');
    await page.locator('.contact-picker .suggestions [role=option]').first().click();
    await rows().nth(0).locator('.line-description').fill('Website-Relaunch');
    await rows().nth(0).locator('.line-unit-price').fill('2.400,00');
    await page.click('#add-line');
    await rows().nth(1).locator('.line-description').fill('Hosting, 12 Monate');
    await rows().nth(1).locator('.line-quantity').fill('12');
    await rows().nth(1).locator('.line-unit').selectOption('MON');
    await rows().nth(1).locator('.line-unit-price').fill('9,90');
    await rows().nth(1).locator('.line-vat-rate').selectOption('7');
    // 2400 + 118,80 = 2518,80 net; 456,00 + 8,32 (8,316) VAT; 2983,12 gross
    await page.waitForFunction(() => document.getElementById('t-gross').textContent === '2.983,12 €');
    const resp = await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.equal(resp.status(), 200);
    ids.quote = docIdFromUrl(page.url());
    const q = await api(h.server, token, 'GET', `/documents/${ids.quote}`);
    year = q.json.date.slice(0, 4);
    assert.equal(q.json.totals.gross, '2983.12');
    assert.equal(await page.locator('#doc-number').innerText(), `AN-${year}-0001`);
    assert.match(await page.locator('main h1').innerText(), /^Angebot/);
    assert.equal(await page.locator('#payment-form').count(), 0, 'a quote takes no payments');
    assert.equal(await page.locator('#cancel-document').count(), 0, 'a quote is not cancelled');
    const targets = await page.locator('#derive-type option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(targets, ['order_confirmation', 'delivery_note', 'invoice', 'down_payment_invoice']);
  });

  h.step('an order confirmation is derived from the quote and issued', async () => {
    const { page } = w;
    await page.selectOption('#derive-type', 'order_confirmation');
    await submitAndWait(w, '#derive');
    ids.confirmation = docIdFromUrl(page.url());
    assert.notEqual(ids.confirmation, ids.quote);
    assert.equal(await page.locator('#editor').count(), 1, 'the derived document starts as a draft');
    assert.equal(await page.inputValue('#f-type'), 'Auftragsbestätigung');
    assert.match(await page.inputValue('#f-contact'), /Beispiel AG/);
    const descs = await page.locator('#lines .line-description').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(descs, ['Website-Relaunch', 'Hosting, 12 Monate']);
    assert.equal(await rows().nth(1).locator('.line-vat-rate').inputValue(), '7');
    assert.equal(await rows().nth(1).locator('.line-unit').inputValue(), 'MON');
    await page.waitForFunction(() => document.getElementById('t-gross').textContent === '2.983,12 €');
    await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.equal(await page.locator('#doc-number').innerText(), `AB-${year}-0001`);
    const d = await api(h.server, token, 'GET', `/documents/${ids.confirmation}`);
    assert.equal(d.json.type, 'order_confirmation');
    assert.equal(d.json.source_id, ids.quote);
    assert.equal(d.json.totals.gross, '2983.12');
    assert.equal(await page.locator(`a[href="/documents/${ids.quote}"]`).count(), 1, 'links back to the quote');
  });

  h.step('an invoice is derived from the order confirmation, issued and is open', async () => {
    const { page } = w;
    const targets = await page.locator('#derive-type option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(targets, ['delivery_note', 'invoice', 'down_payment_invoice']);
    await page.selectOption('#derive-type', 'invoice');
    await submitAndWait(w, '#derive');
    ids.invoice = docIdFromUrl(page.url());
    assert.equal(await page.inputValue('#f-type'), 'Rechnung');
    assert.equal(await page.locator('#t-gross').innerText(), '2.983,12 €');
    // An invoice needs a delivery date and a due date; make sure they are set.
    if (!(await page.inputValue('#f-delivery_date'))) await page.fill('#f-delivery_date', new Date().toISOString().slice(0, 10));
    if (!(await page.inputValue('#f-due_date'))) {
      await page.fill('#f-due_date', new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10));
    }
    await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.equal(await page.locator('#issue-problems').count(), 0, 'issued without problems');
    assert.equal(await page.locator('#doc-number').innerText(), `RE-${year}-0001`);
    assert.equal(await page.locator('#doc-status').innerText(), 'Offen');
    assert.equal(await page.locator('#open-amount').innerText(), euroDe('2983.12'));
    const d = await api(h.server, token, 'GET', `/documents/${ids.invoice}`);
    assert.equal(d.json.type, 'invoice');
    assert.equal(d.json.source_id, ids.confirmation);
    assert.equal(d.json.status, 'open');
    assert.deepEqual(d.json.lines.map((l) => [l.description, l.quantity, l.unit, l.unit_price, l.vat_rate, l.net]), [
      ['Website-Relaunch', '1', 'C62', '2400.00', '19', '2400.00'],
      ['Hosting, 12 Monate', '12', 'MON', '9.90', '7', '118.80'],
    ]);
    // The quote and the confirmation stay as they were.
    for (const id of [ids.quote, ids.confirmation]) {
      const s = await api(h.server, token, 'GET', `/documents/${id}`);
      assert.equal(s.json.state, 'issued');
      assert.equal(s.json.totals.gross, '2983.12');
    }
    // A quote can also go straight to an invoice.
    await page.goto(`/documents/${ids.quote}`);
    await page.selectOption('#derive-type', 'invoice');
    await submitAndWait(w, '#derive');
    assert.equal(await page.inputValue('#f-type'), 'Rechnung');
    const direct = await api(h.server, token, 'GET', `/documents/${docIdFromUrl(page.url())}`);
    assert.equal(direct.json.source_id, ids.quote);
    assert.equal(direct.json.state, 'draft');
    assertClean(w);
  });
});
