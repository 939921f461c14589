// The invoice's whole life in the browser: editor with live totals (checked against the
// server's stored totals through the API), issuing and locking, payments, duplicate, cancel.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  harness, STEP_TIMEOUT, assertClean, login, screenshot, submitAndWait, api, docIdFromUrl, euroDe,
} from './lib/harness.mjs';

// Three priced lines at two VAT rates, one text line:
//   Beratung (article)      2,5 h × 95,00 € @ 19 %          = 237,50 €
//   Fachbuch Steuerrecht    3 × 12,50 € @ 7 %               =  37,50 €
//   Reisekosten pauschal    1 × 40,00 € @ 19 %, 10 % Rabatt =  36,00 €
// net 311,00; VAT 19 % of 273,50 = 51,965 → 51,97; VAT 7 % of 37,50 = 2,625 → 2,63
// (commercial rounding, half away from zero); gross 365,60.
const EXPECTED = {
  net: '311.00', gross: '365.60', vat: '54.60',
  groups: { 19: { taxable: '273.50', vat: '51.97' }, 7: { taxable: '37.50', vat: '2.63' } },
  lineNets: ['', '237,50 €', '37,50 €', '36,00 €'],
};

describe('invoice: editor, live totals, issue, payments, cancel', { timeout: 180_000 }, () => {
  const h = harness('invoice');
  let w;
  let token;
  let contactId;
  let invoiceId;
  let year;
  const live = {};
  before(async () => {
    await h.start();
    token = await h.server.token();
    const c = await api(h.server, token, 'POST', '/contacts', {
      name: 'Muster Handel GmbH', street: 'Lindenweg 5', postal_code: '80331', city: 'München', country: 'DE',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    contactId = c.json.id;
    for (const a of [
      { number: 'BER-H', name: 'Beratung', description: 'je Stunde', unit: 'HUR', unit_price: '95.00', vat_rate: '19' },
      { number: 'BUCH-1', name: 'Fachbuch Steuerrecht', unit: 'C62', unit_price: '12.50', vat_rate: '7' },
    ]) {
      const r = await api(h.server, token, 'POST', '/articles', a);
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    w = await h.open();
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  const rows = () => w.page.locator('#lines tbody tr.line');

  h.step('the editor computes live totals while typing', async () => {
    const { page } = w;
    await page.goto('/documents');
    await Promise.all([page.waitForURL('**/documents/new?type=invoice'), page.click('#new-document')]);
    assert.equal(await page.inputValue('#f-type'), 'invoice');
    assert.equal(await rows().count(), 1, 'a new document starts with one line');

    // Contact picker: type, choose a suggestion.
    await page.fill('#f-contact', 'Muster');
    const suggestion = page.locator('.contact-picker .suggestions [role=option]');
    await suggestion.first().waitFor();
    assert.match(await suggestion.first().innerText(), /Muster Handel GmbH, München/);
    await suggestion.first().click();
    assert.equal(await page.inputValue('#f-contact-id'), String(contactId));
    assert.match(await page.inputValue('#f-contact'), /Muster Handel GmbH/);
    assert.ok(await page.locator('.contact-picker .suggestions').isHidden());

    // Line 1 from the article search.
    const r1 = rows().nth(0);
    await r1.locator('.article-search').fill('Berat');
    const art = r1.locator('.article-picker .suggestions [role=option]');
    await art.first().waitFor();
    assert.match(await art.first().innerText(), /BER-H – Beratung/);
    await art.first().click();
    assert.equal(await r1.locator('.line-description').inputValue(), 'Beratung\nje Stunde');
    assert.equal(await r1.locator('.line-unit').inputValue(), 'HUR');
    assert.equal(await r1.locator('.line-unit-price').inputValue(), '95,00');
    assert.equal(await r1.locator('.line-vat-rate').inputValue(), '19');
    assert.notEqual(await r1.locator('.line-article-id').inputValue(), '');
    await r1.locator('.line-quantity').fill('2,5');

    // Line 2 typed by hand at 7 %.
    await page.click('#add-line');
    assert.equal(await rows().count(), 2);
    const r2 = rows().nth(1);
    await r2.locator('.line-description').fill('Fachbuch Steuerrecht');
    await r2.locator('.line-quantity').fill('3');
    await r2.locator('.line-unit-price').fill('12,50');
    await r2.locator('.line-vat-rate').selectOption('7');

    // Line 3 with a line discount.
    await page.click('#add-line');
    const r3 = rows().nth(2);
    await r3.locator('.line-description').fill('Reisekosten pauschal');
    await r3.locator('.line-unit-price').fill('40');
    await r3.locator('.line-discount').fill('10');

    // A text line, moved to the top; a spare line added and removed again.
    await page.click('#add-text');
    const r4 = rows().nth(3);
    assert.equal(await r4.locator('.line-kind').inputValue(), 'text');
    assert.match(await r4.getAttribute('class'), /text-line/);
    await r4.locator('.line-description').fill('Leistungszeitraum November');
    for (let i = 0; i < 3; i++) await rows().nth(3 - i).locator('.move-up').click();
    await page.click('#add-line');
    assert.equal(await rows().count(), 5);
    await rows().nth(4).locator('.line-description').fill('wird entfernt');
    await rows().nth(4).locator('.line-unit-price').fill('999');
    await rows().nth(4).locator('.remove-line').click();
    assert.equal(await rows().count(), 4);
    const descs = await page.locator('#lines .line-description').evaluateAll((els) => els.map((e) => e.value.split('\n')[0]));
    assert.deepEqual(descs, ['Leistungszeitraum November', 'Beratung', 'Fachbuch Steuerrecht', 'Reisekosten pauschal']);

    // Live totals arrive from the server.
    await page.waitForFunction((g) => Number(document.getElementById('editor').getAttribute('data-totals-gross')) === g,
      Number(EXPECTED.gross), { timeout: 10_000 });
    await page.waitForFunction((t) => document.getElementById('t-gross').textContent === t, euroDe(EXPECTED.gross));
    live.net = await page.locator('#t-net').innerText();
    live.gross = await page.locator('#t-gross').innerText();
    live.due = await page.locator('#t-due').innerText();
    live.breakdown = await page.locator('#t-vat_breakdown').innerText();
    live.lineNets = await page.locator('#lines .line-net').allInnerTexts();
    assert.equal(live.net, euroDe(EXPECTED.net));
    assert.equal(live.gross, euroDe(EXPECTED.gross));
    assert.equal(live.due, euroDe(EXPECTED.gross));
    assert.match(live.breakdown, /19 %[\s\S]*51,97 €/);
    assert.match(live.breakdown, /7 %[\s\S]*2,63 €/);
    assert.deepEqual(live.lineNets.map((s) => s.trim()), EXPECTED.lineNets);
    assert.doesNotMatch(await page.getAttribute('#editor', 'class'), /has-errors/);

    // A change shows at once: 4 books instead of 3, then back.
    await rows().nth(2).locator('.line-quantity').fill('4');
    await page.waitForFunction(() => document.getElementById('t-net').textContent === '323,50 €');
    await rows().nth(2).locator('.line-quantity').fill('3');
    await page.waitForFunction((t) => document.getElementById('t-gross').textContent === t, euroDe(EXPECTED.gross));

    // Due date (required to issue) and a subject.
    const due = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
    await page.fill('#f-due_date', due);
    await page.fill('#f-subject', 'Beratung November');
    await screenshot(page, '08-editor-live-totals');
  });

  h.step('the saved draft has the same totals on the server (API) as the live totals', async () => {
    const { page } = w;
    await submitAndWait(w, '#save-draft');
    invoiceId = docIdFromUrl(page.url());
    const r = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    assert.equal(r.status, 200);
    const d = r.json;
    assert.equal(d.state, 'draft');
    assert.equal(d.locked, false);
    assert.equal(d.number, null);
    assert.equal(d.totals.net, EXPECTED.net);
    assert.equal(d.totals.vat, EXPECTED.vat);
    assert.equal(d.totals.gross, EXPECTED.gross);
    const groups = Object.fromEntries(d.totals.vat_breakdown.map((g) => [g.rate, { taxable: g.taxable, vat: g.vat }]));
    assert.deepEqual(groups, EXPECTED.groups);
    // The browser showed exactly what the server stored.
    assert.equal(live.net, euroDe(d.totals.net));
    assert.equal(live.gross, euroDe(d.totals.gross));
    assert.equal(live.due, euroDe(d.totals.due));
    for (const g of d.totals.vat_breakdown) assert.ok(live.breakdown.includes(euroDe(g.vat)), `${g.vat} in ${live.breakdown}`);
    assert.deepEqual(d.lines.map((l) => l.kind), ['text', 'item', 'item', 'item']);
    assert.deepEqual(d.lines.slice(1).map((l) => l.net), ['237.50', '37.50', '36.00']);

    // The draft opens again in the editor, as typed, with the server-rendered totals.
    assert.equal(await page.locator('#editor').count(), 1);
    assert.equal(await rows().count(), 4);
    assert.equal(await page.locator('#t-gross').innerText(), live.gross);
    assert.equal(await rows().nth(1).locator('.line-unit').inputValue(), 'HUR');
    assert.equal(await rows().nth(1).locator('.line-quantity').inputValue(), '2,5');
    assert.equal(await rows().nth(2).locator('.line-vat-rate').inputValue(), '7');
    assert.equal(await rows().nth(3).locator('.line-discount').inputValue(), '10');
    assert.equal(await page.inputValue('#f-contact-id'), String(contactId));
    await page.waitForFunction((g) => Number(document.getElementById('editor').getAttribute('data-totals-gross')) === g,
      Number(EXPECTED.gross));
    assertClean(w);
  });

  h.step('issuing asks first; dismissing keeps the draft', async () => {
    const { page } = w;
    const before = w.dialogs.length;
    w.expectDialogs = 0; // the dialog is recorded as unexpected and dismissed
    await page.click('#issue');
    await page.waitForTimeout(300);
    assert.equal(w.dialogs.length, before + 1);
    assert.equal(w.dialogs.at(-1).type, 'confirm');
    w.unexpectedDialogs.length = 0;
    assert.equal(await page.locator('#editor').count(), 1, 'still the editor');
    const r = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    assert.equal(r.json.state, 'draft');
  });

  h.step('an issued invoice gets its number and is locked', async () => {
    const { page } = w;
    const resp = await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.equal(resp.status(), 200);
    assert.equal(docIdFromUrl(page.url()), invoiceId);
    const number = await page.locator('#doc-number').innerText();
    const r = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    year = r.json.date.slice(0, 4);
    assert.equal(number, `RE-${year}-0001`);
    assert.equal(r.json.number, number);
    assert.equal(r.json.locked, true);
    assert.equal(r.json.totals.gross, EXPECTED.gross, 'issuing does not change the totals');
    assert.equal(await page.locator('#doc-status').innerText(), 'Offen');
    assert.ok(await page.locator('#locked-note').isVisible());
    // No way to edit: no editor, no line inputs, no save or issue buttons.
    for (const sel of ['#editor', 'textarea', '.line-description', '.line-quantity', '#save-draft', '#issue', '#add-line', '#delete-draft']) {
      assert.equal(await page.locator(sel).count(), 0, `${sel} on an issued invoice`);
    }
    const view = await page.locator('table.lines-view tbody').innerText();
    for (const text of ['Leistungszeitraum November', 'Beratung', 'Fachbuch Steuerrecht', 'Reisekosten pauschal', '237,50 €', '36,00 €']) {
      assert.ok(view.includes(text), `${text} in the issued lines`);
    }
    assert.equal(await page.locator('#t-gross').innerText(), live.gross);
    assert.equal(await page.locator('#open-amount').innerText(), live.gross);
    await screenshot(page, '10-invoice-issued');

    // The API refuses to change it (409), the page form too, and nothing changed.
    const put = await api(h.server, token, 'PUT', `/documents/${invoiceId}`, {
      version: r.json.version, contact_id: contactId, lines: [{ description: 'geändert', quantity: '1', unit_price: '1.00', vat_rate: '19' }],
    });
    assert.equal(put.status, 409, JSON.stringify(put.json));
    const csrf = await page.getAttribute('body', 'data-csrf');
    const form = await w.context.request.post(`/documents/${invoiceId}`, {
      form: { _csrf: csrf, type: 'invoice', contact_id: String(contactId), version: String(r.json.version), line_kind: 'item', line_description: 'geändert', line_quantity: '1', line_unit_price: '1', line_vat_rate: '19' },
      maxRedirects: 0,
    });
    assert.ok(form.status() >= 400, `web form update of an issued invoice answered ${form.status()}`);
    const after = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    assert.equal(after.json.totals.gross, EXPECTED.gross);
    assert.equal(after.json.lines[1].description.replace(/\r\n/g, '\n'), 'Beratung\nje Stunde');
    const del = await api(h.server, token, 'DELETE', `/documents/${invoiceId}`);
    assert.equal(del.status, 409);
    assertClean(w);
  });

  h.step('a partial and then a full payment change the status', async () => {
    const { page } = w;
    assert.equal(await page.inputValue('#p-amount'), '365,6', 'the form proposes the open amount');
    await page.fill('#p-amount', '100');
    await page.selectOption('#p-method', 'bank_transfer');
    await page.fill('#p-note', 'Teilzahlung');
    await submitAndWait(w, '#record-payment');
    assert.equal(docIdFromUrl(page.url()), invoiceId);
    assert.equal(await page.locator('#doc-status').innerText(), 'Teilweise bezahlt');
    assert.equal(await page.locator('#paid-amount').innerText(), '100,00 €');
    assert.equal(await page.locator('#open-amount').innerText(), '265,60 €');
    assert.equal(await page.locator('#payments tbody tr').count(), 1);
    assert.equal(await page.locator('#cancel-document').count(), 0, 'an invoice with payments is not cancelled');
    let r = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    assert.equal(r.json.status, 'partially_paid');
    assert.equal(r.json.open_amount, '265.60');

    assert.equal(await page.inputValue('#p-amount'), '265,6');
    await page.selectOption('#p-method', 'cash');
    await submitAndWait(w, '#record-payment');
    assert.equal(await page.locator('#doc-status').innerText(), 'Bezahlt');
    assert.equal(await page.locator('#paid-amount').innerText(), '365,60 €');
    assert.equal(await page.locator('#open-amount').innerText(), '0,00 €');
    assert.equal(await page.locator('#payments tbody tr').count(), 2);
    assert.equal(await page.locator('#payment-form').count(), 0, 'nothing left to pay');
    r = await api(h.server, token, 'GET', `/documents/${invoiceId}`);
    assert.equal(r.json.status, 'paid');
    assert.equal(r.json.paid, EXPECTED.gross);
    await screenshot(page, '11-invoice-paid');
    assertClean(w);
  });

  h.step('a duplicated invoice is issued and cancelled (ST number, original "Storniert")', async () => {
    const { page } = w;
    await submitAndWait(w, '#duplicate');
    const copyId = docIdFromUrl(page.url());
    assert.notEqual(copyId, invoiceId);
    assert.equal(await page.locator('#editor').count(), 1, 'the copy is a draft');
    assert.equal(await rows().count(), 4);
    await page.waitForFunction((g) => Number(document.getElementById('editor').getAttribute('data-totals-gross')) === g,
      Number(EXPECTED.gross));
    const due = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
    await page.fill('#f-due_date', due);
    await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.equal(await page.locator('#doc-number').innerText(), `RE-${year}-0002`);
    assert.equal(await page.locator('#doc-status').innerText(), 'Offen');

    await page.fill('#cancel-reason', 'falsche Lieferanschrift');
    await submitAndWait(w, '#cancel-document', { dialogs: 1 });
    const cancellationId = docIdFromUrl(page.url());
    assert.notEqual(cancellationId, copyId);
    assert.equal(await page.locator('#doc-number').innerText(), `ST-${year}-0001`);
    assert.match(await page.locator('main h1').innerText(), /Stornorechnung/);
    assert.ok(await page.locator('#locked-note').isVisible());
    assert.equal(await page.locator('#corrects-link').getAttribute('href'), `/documents/${copyId}`);
    await screenshot(page, '12-cancellation');
    const c = await api(h.server, token, 'GET', `/documents/${cancellationId}`);
    assert.equal(c.json.type, 'cancellation');
    assert.match(c.json.subject, new RegExp(`^Stornorechnung zu Rechnung RE-${year}-0002 vom \\d\\d\\.\\d\\d\\.${year}: falsche Lieferanschrift$`));
    // A credit, not a second bill: the page asks for no payment.
    assert.equal(await page.locator('#totals dt', { hasText: 'Zahlbetrag' }).count(), 0);
    assert.equal(await page.locator('#totals dt', { hasText: 'Gutschrift zu Ihren Gunsten' }).count(), 1);
    assert.equal(c.json.corrects_id, copyId);
    assert.equal(Math.abs(Number(c.json.totals.gross)), Number(EXPECTED.gross));

    await Promise.all([page.waitForURL(`**/documents/${copyId}`), page.click('#corrects-link')]);
    assert.equal(await page.locator('#doc-status').innerText(), 'Storniert');
    assert.equal(await page.locator('#cancelled-by-link').getAttribute('href'), `/documents/${cancellationId}`);
    assert.equal(await page.locator('#cancel-document').count(), 0);
    assert.equal(await page.locator('#payment-form').count(), 0);
    const o = await api(h.server, token, 'GET', `/documents/${copyId}`);
    assert.equal(o.json.status, 'cancelled');
    assert.equal(o.json.cancelled_by_id, cancellationId);
    const again = await api(h.server, token, 'POST', `/documents/${copyId}/cancel`, {});
    assert.equal(again.status, 409, 'cancelled only once');

    // The list shows all three with their status.
    await page.goto('/documents');
    const list = await page.locator('main table.list tbody').innerText();
    assert.match(list, new RegExp(`RE-${year}-0001[^\\n]*Bezahlt`));
    assert.match(list, new RegExp(`RE-${year}-0002[^\\n]*Storniert`));
    assert.match(list, new RegExp(`ST-${year}-0001`));
    await screenshot(page, '13-documents-list');
    await page.goto('/');
    await screenshot(page, '14-dashboard-after');
    assertClean(w);
  });
});
