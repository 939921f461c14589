// Received invoices in the browser: two files dropped on the upload area at once are received
// (drag and drop, as a bookkeeper does it), the list shows them, and an invoice's page shows
// the supplier, the lines, the totals and the check's verdict; the original downloads
// byte-identical.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { harness, STEP_TIMEOUT, assertClean, login, E2E_DIR, screenshot } from './lib/harness.mjs';

const EXAMPLES = path.resolve(E2E_DIR, '../../../shared/einvoice/examples');
const UBL = path.join(EXAMPLES, 'xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml');
const BROKEN = path.join(EXAMPLES, 'negative/ubl-wrong-payable-amount.xml');

describe('received invoices: drop, read, check', { timeout: 180_000 }, () => {
  const h = harness('incoming');
  let w;
  before(async () => {
    await h.start();
    w = await h.open();
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('two files dropped at once are received and listed', async () => {
    const { page } = w;
    await page.goto('/incoming');
    await page.locator('#incoming-upload').waitFor();
    const files = [
      { name: 'rechnung.xml', mimeType: 'application/xml', buffer: readFileSync(UBL).toString('base64') },
      { name: 'fehlerhaft.xml', mimeType: 'application/xml', buffer: readFileSync(BROKEN).toString('base64') },
    ];
    // A real drop: a DataTransfer with both files, dispatched on the drop area.
    const transfer = await page.evaluateHandle((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) {
        const bytes = Uint8Array.from(atob(f.buffer), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
      }
      return dt;
    }, files);
    await page.dispatchEvent('#incoming-upload', 'dragover', { dataTransfer: transfer });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/incoming/upload'),
      page.dispatchEvent('#incoming-upload', 'drop', { dataTransfer: transfer }),
    ]);
    await page.locator('.flash').waitFor();
    assert.match(await page.locator('.flash').innerText(), /2 Datei\(en\) empfangen/);
    const rows = page.locator('#incoming-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await page.locator('#incoming-table').innerText(), /Fehler gefunden/);
    assert.match(await page.locator('#incoming-table').innerText(), /gültig/);
    await screenshot(page, 'incoming-list');
    assertClean(w);
  });

  h.step('an invoice reads like an invoice, with its check', async () => {
    const { page } = w;
    await page.goto('/incoming');
    await Promise.all([page.waitForURL(/\/incoming\/\d+$/), page.click('#incoming-table tbody tr:last-child a')]);
    const text = await page.locator('#readable').innerText();
    for (const expected of ['[Seller name]', '[Buyer name]', '123456XX', 'Positionen', 'Gesamt brutto', 'Keine Befunde']) {
      assert.ok(text.includes(expected), `${expected} on the page`);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-original')]);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.equals(readFileSync(UBL)), 'the original, byte for byte');
    await screenshot(page, 'incoming-view');
    assertClean(w);
  });

  h.step('a broken invoice names the rule it breaks', async () => {
    const { page } = w;
    await page.goto('/incoming');
    await Promise.all([page.waitForURL(/\/incoming\/\d+$/), page.click('#incoming-table tbody tr:first-child a')]);
    const findings = await page.locator('#findings').innerText();
    assert.match(findings, /BR-CO-16/);
    assert.match(findings, /Fehler/);
    assert.equal(await page.locator('#enter-data').getAttribute('open'), '', 'the form to correct it is open');
    assertClean(w);
  });
});
