// Contacts and articles: forms with messages next to the fields, lists with search.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, STEP_TIMEOUT, assertClean, login, screenshot, submitAndWait, api } from './lib/harness.mjs';

describe('contacts and articles', { timeout: 180_000 }, () => {
  const h = harness('contacts-articles');
  let w;
  let token;
  before(async () => {
    await h.start();
    token = await h.server.token();
    w = await h.open();
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('a contact without a name is refused with a message next to the field (422)', async () => {
    const { page } = w;
    await page.goto('/contacts');
    await Promise.all([page.waitForURL('**/contacts/new'), page.click('#new-contact')]);
    await page.fill('#f-street', 'Lindenweg 5');
    await page.fill('#f-payment_terms_days', 'zehn');
    const resp = await submitAndWait(w, '#save');
    assert.equal(resp.status(), 422);
    await page.locator('p.error[role=alert]').waitFor();
    // The message sits in the name field's own box, tied to the input.
    const nameField = page.locator('.field.invalid:has(#f-name)');
    await nameField.waitFor();
    const err = nameField.locator('.field-error');
    assert.equal(await err.getAttribute('id'), 'e-name');
    assert.ok((await err.innerText()).length > 0);
    assert.equal(await page.getAttribute('#f-name', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#f-name', 'aria-describedby'), 'e-name');
    assert.match(await page.locator('.field.invalid:has(#f-payment_terms_days) .field-error').innerText(), /ganze Zahl/);
    // What was typed is kept.
    assert.equal(await page.inputValue('#f-street'), 'Lindenweg 5');
    await screenshot(page, '04-contact-form-errors');
  });

  h.step('a complete contact is saved and shown', async () => {
    const { page } = w;
    await page.fill('#f-name', 'Muster Handel GmbH');
    await page.fill('#f-postal_code', '80331');
    await page.fill('#f-city', 'München');
    await page.fill('#f-country', 'de');
    await page.fill('#f-email', 'einkauf@muster.example');
    await page.fill('#f-payment_terms_days', '30');
    await submitAndWait(w, '#save');
    assert.match(new URL(page.url()).pathname, /^\/contacts\/\d+$/);
    assert.match(await page.locator('main h1').innerText(), /Muster Handel GmbH/);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Lindenweg 5, 80331 München, DE/);
    assert.match(facts, /einkauf@muster\.example/);
    await screenshot(page, '05-contact-detail');

    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const r = await api(h.server, token, 'GET', `/contacts/${id}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.name ?? r.json.data?.name, 'Muster Handel GmbH');
  });

  h.step('the contact list finds contacts by search', async () => {
    const { page } = w;
    // A second contact to tell apart.
    await page.goto('/contacts/new');
    await page.fill('#f-name', 'Beispiel AG');
    await page.fill('#f-street', 'Am Markt 2');
    await page.fill('#f-postal_code', '20095');
    await page.fill('#f-city', 'Hamburg');
    await submitAndWait(w, '#save');

    await page.goto('/contacts');
    const rows = page.locator('#contacts-table tbody tr');
    assert.equal(await rows.count(), 2);
    await screenshot(page, '06-contacts-list');
    await page.fill('#q', 'Muster');
    await submitAndWait(w, 'form[role=search] button[type=submit]');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'Muster');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Muster Handel GmbH/);
    assert.match(await rows.first().innerText(), /80331 München/);
    await page.fill('#q', 'gibt es nicht');
    await submitAndWait(w, 'form[role=search] button[type=submit]');
    assert.equal(await rows.count(), 0);
    await page.locator('main p.muted').waitFor();
    // Edit from the detail page.
    await page.goto('/contacts?q=Beispiel');
    await Promise.all([page.waitForURL(/\/contacts\/\d+$/), page.click('#contacts-table a:text("Beispiel AG")')]);
    await Promise.all([page.waitForURL(/\/edit$/), page.click('#edit-contact')]);
    assert.equal(await page.inputValue('#f-city'), 'Hamburg');
    await page.fill('#f-city', 'Hamburg-Altona');
    await submitAndWait(w, '#save');
    assert.match(await page.locator('dl.facts').innerText(), /Hamburg-Altona/);
    assertClean(w);
  });

  h.step('an article with a wrong VAT rate is refused next to the field', async () => {
    const { page } = w;
    await page.goto('/articles');
    await Promise.all([page.waitForURL('**/articles/new'), page.click('#new-article')]);
    assert.equal(await page.inputValue('#f-vat_rate'), '19');
    await page.fill('#f-number', 'BUCH-1');
    await page.fill('#f-name', 'Fachbuch Steuerrecht');
    await page.fill('#f-unit_price', '12,50');
    await page.fill('#f-vat_rate', '16');
    const resp = await submitAndWait(w, '#save');
    assert.equal(resp.status(), 422);
    const err = page.locator('.field.invalid:has(#f-vat_rate) .field-error');
    await err.waitFor();
    assert.match(await err.innerText(), /19, 7, 0/);
    assert.equal(await page.inputValue('#f-unit_price'), '12,50');
  });

  h.step('articles are created and listed', async () => {
    const { page } = w;
    await page.fill('#f-vat_rate', '7');
    await page.fill('#f-description', 'Aktuelle Auflage');
    await submitAndWait(w, '#save');
    assert.equal(new URL(page.url()).pathname, '/articles');

    await page.goto('/articles/new');
    await page.fill('#f-number', 'BER-H');
    await page.fill('#f-name', 'Beratung');
    await page.selectOption('#f-unit', 'HUR');
    await page.fill('#f-unit_price', '1.234,5');
    await submitAndWait(w, '#save');

    const rows = page.locator('#articles-table tbody tr');
    assert.equal(await rows.count(), 2);
    const book = rows.filter({ hasText: 'Fachbuch Steuerrecht' });
    assert.match(await book.innerText(), /BUCH-1/);
    assert.match(await book.innerText(), /12,5/);
    assert.match(await book.innerText(), /7 %/);
    const hour = rows.filter({ hasText: 'Beratung' });
    assert.match(await hour.innerText(), /Stunde/, 'the unit by name, not its code');
    assert.match(await hour.innerText(), /1234,5/);
    assert.match(await hour.innerText(), /19 %/);
    await screenshot(page, '07-articles-list');

    await page.fill('#q', 'Fachbuch');
    await submitAndWait(w, 'form[role=search] button[type=submit]');
    assert.equal(await rows.count(), 1);

    const r = await api(h.server, token, 'GET', '/articles?q=Beratung');
    assert.equal(r.status, 200);
    const items = r.json.items ?? r.json;
    const art = items.find((a) => a.number === 'BER-H');
    assert.ok(art, JSON.stringify(r.json).slice(0, 300));
    assert.equal(Number(art.unit_price), 1234.5);
    assertClean(w);
  });
});
