// The document list in the browser: a column header sorts, the header box ticks every row,
// and the ticked documents download as one ZIP of their archived PDFs and as a CSV.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { harness, STEP_TIMEOUT, assertClean, login, api } from './lib/harness.mjs';

/** The entries of a ZIP with stored entries: [{ name, bytes }]. */
function unzip(buf) {
  const entries = [];
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    assert.equal(buf.readUInt16LE(at + 8), 0, 'stored, not compressed');
    const size = buf.readUInt32LE(at + 18);
    const nameLen = buf.readUInt16LE(at + 26);
    const extra = buf.readUInt16LE(at + 28);
    const name = buf.subarray(at + 30, at + 30 + nameLen).toString('utf8');
    const start = at + 30 + nameLen + extra;
    entries.push({ name, bytes: buf.subarray(start, start + size) });
    at = start + size;
  }
  assert.equal(buf.readUInt32LE(at), 0x02014b50, 'then the central directory');
  return entries;
}

describe('document list: sorting, selection, bulk downloads', { timeout: 180_000 }, () => {
  const h = harness('lists');
  let w;
  let token;
  const docs = [];
  before(async () => {
    await h.start();
    token = await h.server.token();
    const c = await api(h.server, token, 'POST', '/contacts', {
      name: 'Liste & Co. KG', street: 'Hafenstraße 3', postal_code: '28195', city: 'Bremen', country: 'DE',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    for (const [price, issue] of [['100', true], ['1068.60', true], ['40', false]]) {
      const today = new Date().toISOString().slice(0, 10);
      const d = await api(h.server, token, 'POST', '/documents', {
        type: 'invoice', contact_id: c.json.id, date: today, delivery_date: today,
        lines: [{ description: 'Arbeit', quantity: '1', unit: 'HUR', unit_price: price, vat_rate: '19' }],
      });
      assert.equal(d.status, 201, JSON.stringify(d.json));
      let doc = d.json;
      if (issue) {
        const r = await api(h.server, token, 'POST', `/documents/${doc.id}/issue`, {});
        assert.equal(r.status, 200, JSON.stringify(r.json));
        doc = r.json;
      }
      docs.push(doc);
    }
    w = await h.open();
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('a column header sorts the list and says so', async () => {
    const { page } = w;
    await page.goto('/documents');
    await Promise.all([page.waitForURL((u) => u.search === '?sort=amount'), page.click('#documents-table th a.sort >> text=Brutto')]);
    const sorted = page.locator('#documents-table th[aria-sort]');
    assert.equal(await sorted.count(), 1);
    assert.equal(await sorted.getAttribute('aria-sort'), 'ascending');
    const numbers = await page.locator('#documents-table tbody td:nth-child(2) a').allInnerTexts();
    assert.deepEqual(numbers, [`Entwurf #${docs[2].id}`, docs[0].number, docs[1].number], 'smallest amount first');
    await Promise.all([page.waitForURL((u) => u.search === '?sort=-amount'), page.click('#documents-table th a.sort >> text=Brutto')]);
    assert.equal(await page.locator('#documents-table th[aria-sort]').getAttribute('aria-sort'), 'descending');
    assertClean(w);
  });

  h.step('the header box ticks every row, and shows when only some are ticked', async () => {
    const { page } = w;
    await page.goto('/documents');
    const rows = page.locator('#documents-table tbody input.select-row');
    assert.equal(await rows.count(), 3);
    await page.check('#select-all');
    for (const checked of await rows.evaluateAll((bs) => bs.map((b) => b.checked))) assert.ok(checked);
    await rows.first().uncheck();
    assert.equal(await page.locator('#select-all').evaluate((b) => b.indeterminate), true);
    assert.equal(await page.locator('#select-all').isChecked(), false);
    await page.check('#select-all');
    assert.equal(await page.locator('#documents-table tbody input.select-row:checked').count(), 3);
    await page.uncheck('#select-all');
    assert.equal(await page.locator('#documents-table tbody input.select-row:checked').count(), 0);
    assertClean(w);
  });

  h.step('the ticked documents download as one ZIP of their archived PDFs', async () => {
    const { page } = w;
    await page.goto('/documents');
    await page.check('#select-all');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-zip')]);
    assert.match(download.suggestedFilename(), /^dokumente-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = readFileSync(await download.path());
    const entries = unzip(zip);
    // Newest first as listed; the draft has no archived PDF and is left out.
    assert.deepEqual(entries.map((e) => e.name), [`${docs[1].number}.pdf`, `${docs[0].number}.pdf`]);
    for (const [i, doc] of [[0, docs[1]], [1, docs[0]]]) {
      const r = await fetch(`${h.server.url}/api/v1/documents/${doc.id}/pdf`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      const archived = Buffer.from(await r.arrayBuffer());
      assert.ok(entries[i].bytes.equals(archived), `${doc.number}: the archived PDF, byte for byte`);
      assert.equal(entries[i].bytes.subarray(0, 5).toString(), '%PDF-');
    }
    assert.equal(page.url().endsWith('/documents'), true, 'the list stays');
    assertClean(w);
  });

  h.step('the ticked documents export as a CSV for German Excel', async () => {
    const { page } = w;
    await page.goto('/documents');
    await page.check(`#documents-table input.select-row[value="${docs[1].id}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-csv')]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 with BOM');
    const lines = text.slice(1).split('\r\n');
    assert.match(lines[0], /^Nummer;Typ;Kontakt;Datum;/);
    const gross = docs[1].totals.gross.replace('.', ',');
    assert.ok(lines[1].startsWith(`${docs[1].number};Rechnung;Liste & Co. KG;`), lines[1]);
    assert.ok(lines[1].includes(`;${gross};`), `${lines[1]} has ${gross}`);
    assertClean(w);
  });

  h.step('nothing ticked: the list says what to do', async () => {
    const { page } = w;
    await page.goto('/documents');
    await page.click('#bulk-zip');
    await page.locator('#bulk-error').waitFor();
    assert.match(await page.locator('#bulk-error').innerText(), /mindestens ein Dokument/);
  });
});
