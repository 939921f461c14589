// Accessibility: axe-core on the main pages (German, and the editor in English) with no
// critical or serious violation, the editor's suggestion lists open; and the contact and
// article search boxes as WAI-ARIA comboboxes driven by the keyboard alone.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  harness, STEP_TIMEOUT, assertClean, login, api, screenshot, submitAndWait,
} from './lib/harness.mjs';
import { blockingViolations } from './lib/axe.mjs';

describe('accessibility (axe-core) and the editor\'s suggestion lists', { timeout: 200_000 }, () => {
  const h = harness('accessibility');
  let w;
  let token;
  let contactId;
  let draftId;
  let invoiceId;
  before(async () => {
    await h.start();
    token = await h.server.token();
    for (const [name, city] of [['Muster Handel GmbH', 'München'], ['Muster Bau AG', 'Köln']]) {
      const c = await api(h.server, token, 'POST', '/contacts', {
        name, street: 'Lindenweg 5', postal_code: '80331', city, country: 'DE',
      });
      assert.equal(c.status, 201, JSON.stringify(c.json));
      contactId ??= c.json.id;
    }
    for (const a of [
      { number: 'BER-H', name: 'Beratung', unit: 'HUR', unit_price: '95.00', vat_rate: '19' },
      { number: 'BER-T', name: 'Beratung Tagessatz', unit: 'DAY', unit_price: '760.00', vat_rate: '19' },
    ]) {
      const r = await api(h.server, token, 'POST', '/articles', a);
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    const lines = [{ description: 'Beratung', quantity: '2', unit: 'HUR', unit_price: '95.00', vat_rate: '19', discount_percent: '10' }];
    const d = await api(h.server, token, 'POST', '/documents', {
      type: 'invoice', contact_id: contactId, delivery_date: new Date().toISOString().slice(0, 10), discount_percent: '5', lines,
    });
    assert.equal(d.status, 201, JSON.stringify(d.json));
    invoiceId = d.json.id;
    const issued = await api(h.server, token, 'POST', `/documents/${invoiceId}/issue`, {});
    assert.equal(issued.status, 200, JSON.stringify(issued.json));
    const q = await api(h.server, token, 'POST', '/documents', { type: 'quote', contact_id: contactId, lines });
    assert.equal(q.status, 201, JSON.stringify(q.json));
    draftId = q.json.id;
    w = await h.open();
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  /** Fails with every critical and serious violation of the page as it is now. */
  async function assertAccessible(page, what) {
    const found = await blockingViolations(page);
    assert.deepEqual(found, [], `${what}: critical or serious axe-core violations`);
  }

  const contactInput = () => w.page.locator('#f-contact');
  const contactList = () => w.page.locator('#f-contact-list');

  /** Types into the contact search and waits for its suggestions. */
  async function openContactSuggestions(text = 'Muster') {
    await contactInput().fill(text);
    await contactList().locator('[role=option]').first().waitFor();
  }

  h.step('the login page has no critical or serious violations', async () => {
    const r = await w.page.goto('/login');
    assert.equal(r.status(), 200);
    assert.equal(await w.page.getAttribute('html', 'lang'), 'de');
    await assertAccessible(w.page, '/login');
    await login(w.page);
  });

  h.step('the main pages have no critical or serious violations', async () => {
    const { page } = w;
    for (const p of [
      '/', '/contacts', `/contacts/${contactId}`, '/articles', '/documents',
      `/documents/${draftId}`, `/documents/${invoiceId}`, '/settings',
    ]) {
      const r = await page.goto(p);
      assert.ok(r.ok(), `${p}: HTTP ${r.status()}`);
      await assertAccessible(page, p);
    }
    assertClean(w);
  });

  h.step('the editor with both suggestion lists open has no critical or serious violations', async () => {
    const { page } = w;
    await page.goto('/documents/new?type=invoice');
    await assertAccessible(page, 'new document');
    await openContactSuggestions();
    assert.equal(await contactList().isVisible(), true);
    await assertAccessible(page, 'editor, contact suggestions open');
    await screenshot(page, '30-editor-contact-suggestions');

    await page.keyboard.press('Escape');
    const search = page.locator('#lines tbody tr.line').first().locator('.article-search');
    await search.fill('Berat');
    const list = page.locator('#lines tbody tr.line').first().locator('.suggestions');
    await list.locator('[role=option]').first().waitFor();
    await assertAccessible(page, 'editor, article suggestions open');
    assertClean(w);
  });

  h.step('the contact search is a combobox: arrows move, Enter picks, Escape closes', async () => {
    const { page } = w;
    await page.goto('/documents/new?type=invoice');
    const input = contactInput();
    assert.equal(await input.getAttribute('role'), 'combobox');
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    assert.equal(await input.getAttribute('aria-controls'), 'f-contact-list');
    assert.equal(await contactList().getAttribute('role'), 'listbox');
    assert.ok(await contactList().getAttribute('aria-label'), 'the list has a name');
    // Its label names it.
    assert.equal(await page.locator('label[for="f-contact"]').innerText(), 'Kontakt');

    await openContactSuggestions();
    const options = contactList().locator('[role=option]');
    assert.equal(await options.count(), 2);
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    // The first suggestion is highlighted; the arrows move the highlight.
    const activeText = async () => {
      const id = await input.getAttribute('aria-activedescendant');
      assert.ok(id, 'a highlighted suggestion');
      assert.equal(await page.locator(`#${id}`).getAttribute('aria-selected'), 'true');
      return page.locator(`#${id}`).innerText();
    };
    const first = await activeText();
    await page.keyboard.press('ArrowDown');
    const second = await activeText();
    assert.notEqual(second, first);
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeText(), first);
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeText(), second, 'up from the first goes to the last');
    assert.equal(await options.locator('[aria-selected=true]').count(), 0, 'options hold no nested selected elements');
    assert.equal(await contactList().locator('[aria-selected=true]').count(), 1);

    // Escape closes the list and keeps what was typed.
    await page.keyboard.press('Escape');
    assert.equal(await contactList().isHidden(), true);
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    assert.equal(await input.inputValue(), 'Muster');
    assert.equal(await page.locator('#editor').count(), 1);

    // Enter picks the highlighted suggestion; it does not submit the editor.
    await page.keyboard.press('ArrowDown');
    assert.equal(await contactList().isVisible(), true, 'the arrow opens the list again');
    await page.keyboard.press('ArrowDown');
    const chosen = await activeText();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(new URL(page.url()).pathname, '/documents/new', 'still the new document');
    assert.equal(await contactList().isHidden(), true);
    const name = chosen.split(',')[0];
    assert.equal(await input.inputValue(), name);
    const cid = await page.inputValue('#f-contact-id');
    assert.ok(cid, 'a contact is chosen');
    const contact = await api(h.server, token, 'GET', `/contacts/${cid}`);
    assert.ok(name.endsWith(contact.json.name), `${name} is contact ${cid}`);
    // Enter with nothing to pick submits nothing either.
    await input.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(new URL(page.url()).pathname, '/documents/new');
    const docs = await api(h.server, token, 'GET', '/documents');
    assert.equal(docs.json.total, 2, 'no document was created by Enter');
    assertClean(w);
  });

  h.step('the article search takes the highlighted article with Enter', async () => {
    const { page } = w;
    const row = page.locator('#lines tbody tr.line').first();
    const search = row.locator('.article-search');
    assert.equal(await search.getAttribute('role'), 'combobox');
    await search.fill('Berat');
    const list = row.locator('.suggestions');
    await list.locator('[role=option]').first().waitFor();
    assert.equal(await search.getAttribute('aria-controls'), await list.getAttribute('id'));
    await search.press('ArrowDown');
    const id = await search.getAttribute('aria-activedescendant');
    const chosen = await page.locator(`#${id}`).innerText();
    assert.match(chosen, /BER-T – Beratung Tagessatz/);
    await search.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(new URL(page.url()).pathname, '/documents/new');
    assert.equal(await row.locator('.line-description').inputValue(), 'Beratung Tagessatz');
    assert.equal(await row.locator('.line-unit').inputValue(), 'DAY');
    assert.equal(await row.locator('.line-unit option:checked').innerText(), 'Tag');
    assert.equal(await row.locator('.line-unit-price').inputValue(), '760,00');
    assert.equal(await list.isHidden(), true);

    // A row added later gets its own list, wired the same way.
    await page.click('#add-line');
    const second = page.locator('#lines tbody tr.line').nth(1);
    await second.locator('.article-search').fill('Tages');
    await second.locator('.suggestions [role=option]').first().waitFor();
    const ids = await page.locator('#lines .suggestions').evaluateAll((els) => els.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, `unique list ids: ${ids}`);
    await second.locator('.article-search').press('Enter');
    assert.equal(await second.locator('.line-description').inputValue(), 'Beratung Tagessatz');
    assertClean(w);
  });

  h.step('the editor in English has no critical or serious violations either', async () => {
    const en = await h.open({ locale: 'en-GB' });
    // The login page follows the language cookie; after login the user's language counts.
    await en.context.addCookies([{ name: 'kontor_lang', value: 'en', url: h.server.url }]);
    const { page } = en;
    await page.goto('/login');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await assertAccessible(page, '/login in English');
    await login(page);
    if ((await page.getAttribute('html', 'lang')) !== 'en') await submitAndWait(en, '#switch-language');
    await page.goto('/documents/new?type=invoice');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('h1').innerText(), 'Invoice (new)');
    await page.fill('#f-contact', 'Muster');
    await page.locator('#f-contact-list [role=option]').first().waitFor();
    assert.equal(await page.getAttribute('#f-contact-list', 'aria-label'), 'Contacts found');
    await assertAccessible(page, 'editor in English, suggestions open');
    await page.goto(`/documents/${invoiceId}`);
    await assertAccessible(page, 'issued invoice in English');
    await submitAndWait(en, '#switch-language');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assertClean(en);
  });
});
