// Script injection: markup typed into names, descriptions and texts must come back as text on
// every page that shows it. The browser context bypasses the Content-Security-Policy, so the
// test checks the escaping itself and not only the CSP that would otherwise block inline code.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, ADMIN, STEP_TIMEOUT, assertClean, login, submitAndWait, api, docIdFromUrl } from './lib/harness.mjs';

const P1 = '<script>window.__xss=1</script>';
const P2 = '"><img src=x onerror="window.__xss=1">';
const P3 = "'><svg onload=window.__xss=1>";
const PAYLOADS = [P1, P2, P3];

/** Fails if the page ran injected code or grew elements or handlers from the payloads. */
async function assertNoInjection(w, where, mustShow = []) {
  const { page } = w;
  assert.equal(await page.evaluate(() => window.__xss), undefined, `injected code ran on ${where}`);
  const found = await page.evaluate(() => ({
    inlineScripts: [...document.scripts].filter((s) => !s.src).map((s) => s.outerHTML.slice(0, 120)),
    handlers: [...document.querySelectorAll('*')]
      .filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on')))
      .map((e) => e.outerHTML.slice(0, 120)),
    injected: [...document.querySelectorAll('img[src="x"], svg:not(.chart), main svg svg')].map((e) => e.outerHTML.slice(0, 120)),
    text: document.body.innerText + '\n' + [...document.querySelectorAll('input, textarea')].map((e) => e.value).join('\n'),
  }));
  assert.deepEqual(found.inlineScripts, [], `inline script elements on ${where}`);
  assert.deepEqual(found.handlers, [], `event handler attributes on ${where}`);
  assert.deepEqual(found.injected, [], `injected elements on ${where}`);
  for (const s of mustShow) {
    assert.ok(found.text.includes(s), `${where} shows ${JSON.stringify(s)} as text`);
  }
  assert.deepEqual(w.unexpectedDialogs, [], `dialogs on ${where}`);
}

async function visit(w, url, mustShow = [], expectStatus = 200) {
  const resp = await w.page.goto(url);
  assert.equal(resp.status(), expectStatus, `GET ${url}`);
  await assertNoInjection(w, url, mustShow);
}

describe('markup in user input stays text (XSS)', { timeout: 180_000 }, () => {
  const h = harness('xss');
  let w;
  let token;
  const contactIds = [];
  const articleIds = [];
  let docId;
  before(async () => {
    await h.start();
    token = await h.server.token();
    w = await h.open({ bypassCSP: true });
    await login(w.page);
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('contacts with markup in name, city and notes', async () => {
    const { page } = w;
    for (const [i, p] of PAYLOADS.entries()) {
      await page.goto('/contacts/new');
      await page.fill('#f-name', `X${i + 1} ${p}`);
      await page.fill('#f-street', `Straße ${p}`);
      await page.fill('#f-postal_code', '10115');
      await page.fill('#f-city', `Berlin ${p}`);
      await page.fill('#f-notes', `Notiz ${p}`);
      if (i === 0) {
        // First a rejected form: the 422 page puts the typed values back into the inputs.
        await page.fill('#f-payment_terms_days', p);
        const resp = await submitAndWait(w, '#save');
        assert.equal(resp.status(), 422);
        await assertNoInjection(w, 'contact form (422)', [`X1 ${p}`]);
        await page.fill('#f-payment_terms_days', '');
      }
      await submitAndWait(w, '#save');
      contactIds.push(Number(new URL(page.url()).pathname.split('/').pop()));
      await assertNoInjection(w, `contact ${i + 1}`, [`X${i + 1} ${p}`, `Notiz ${p}`]);
    }
  });

  h.step('articles with markup in name and description', async () => {
    const { page } = w;
    for (const [i, p] of PAYLOADS.entries()) {
      await page.goto('/articles/new');
      await page.fill('#f-number', `XSS-${i + 1}`);
      await page.fill('#f-name', `A${i + 1} ${p}`);
      await page.fill('#f-description', `Beschreibung ${p}`);
      await page.fill('#f-unit_price', '10');
      await submitAndWait(w, '#save');
      assert.equal(new URL(page.url()).pathname, '/articles');
      await assertNoInjection(w, 'article list', [`A${i + 1} ${p}`]);
    }
    const r = await api(h.server, token, 'GET', '/articles?q=XSS');
    for (const a of r.json.items ?? r.json) articleIds.push(a.id);
    assert.equal(articleIds.length, 3);
  });

  h.step('a document with markup in contact, lines and texts, through editor and issue', async () => {
    const { page } = w;
    await page.goto('/documents/new?type=invoice');
    await page.fill('#f-contact', 'X2');
    const s = page.locator('.contact-picker .suggestions [role=option]');
    await s.first().waitFor();
    assert.ok((await s.first().innerText()).includes(`X2 ${P2}`), 'suggestion shows the name as text');
    await s.first().click();
    await assertNoInjection(w, 'editor after contact pick');
    const rows = page.locator('#lines tbody tr.line');
    await rows.nth(0).locator('.article-search').fill('A1');
    const a = rows.nth(0).locator('.article-picker .suggestions [role=option]');
    await a.first().waitFor();
    assert.ok((await a.first().innerText()).includes(`A1 ${P1}`));
    await a.first().click();
    for (const [i, p] of PAYLOADS.entries()) {
      await page.click('#add-line');
      await rows.nth(i + 1).locator('.line-description').fill(`Zeile ${p}`);
      await rows.nth(i + 1).locator('.line-unit-price').fill('1');
    }
    await page.fill('#f-subject', `Betreff ${P2}`);
    await page.fill('#f-intro', `Einleitung ${P1}`);
    await page.fill('#f-closing', `Schluss ${P3}`);
    await page.fill('#f-due_date', new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10));
    await page.waitForFunction(() => document.getElementById('t-gross').textContent === '15,47 €');
    await assertNoInjection(w, 'editor with live totals');
    await submitAndWait(w, '#save-draft');
    docId = docIdFromUrl(page.url());
    // The draft editor renders everything back into inputs and textareas.
    await assertNoInjection(w, 'draft editor', [`X2 ${P2}`, `A1 ${P1}`, `Zeile ${P2}`, `Betreff ${P2}`, `Schluss ${P3}`]);
    await submitAndWait(w, '#issue', { dialogs: 1 });
    assert.ok(await page.locator('#doc-number').isVisible(), 'issued');
    await assertNoInjection(w, 'issued document', [`X2 ${P2}`, `A1 ${P1}`, `Zeile ${P1}`, `Zeile ${P3}`, `Betreff ${P2}`, `Einleitung ${P1}`]);
  });

  h.step('every page that shows the values keeps them as text', async () => {
    await visit(w, '/', [`X2 ${P2}`]);
    await visit(w, '/contacts', PAYLOADS.map((p, i) => `X${i + 1} ${p}`));
    for (const [i, id] of contactIds.entries()) {
      await visit(w, `/contacts/${id}`, [`X${i + 1} ${PAYLOADS[i]}`, `Berlin ${PAYLOADS[i]}`]);
      await visit(w, `/contacts/${id}/edit`, [`X${i + 1} ${PAYLOADS[i]}`, `Straße ${PAYLOADS[i]}`]);
    }
    await visit(w, '/articles', PAYLOADS.map((p, i) => `A${i + 1} ${p}`));
    for (const id of articleIds) await visit(w, `/articles/${id}`);
    await visit(w, '/documents', [`X2 ${P2}`]);
    await visit(w, `/documents/${docId}`, [`Zeile ${P2}`]);
    // Search terms are echoed into the search box.
    for (const p of PAYLOADS) {
      const q = encodeURIComponent(p);
      await visit(w, `/contacts?q=${q}`, [p]);
      await visit(w, `/articles?q=${q}`, [p]);
      await visit(w, `/documents?q=${q}`, [p]);
      await visit(w, `/documents?q=${q}&date_from=${q}&contact_id=${q}&status=${q}&type=${q}`);
    }
    await visit(w, `/documents/new?type=${encodeURIComponent(P2)}`);
    // The search endpoints answer JSON, which the browser does not render as HTML.
    const r = await w.page.goto(`/contacts/search?q=X1`);
    assert.match(r.headers()['content-type'], /^application\/json/);
    assert.equal(await w.page.evaluate(() => window.__xss), undefined);
  });

  h.step('company settings and the login form keep markup as text', async () => {
    const { page } = w;
    await page.goto('/settings');
    await page.fill('#c-name', `Firma ${P2}`);
    await page.fill('#c-city', `Berlin ${P1}`);
    await submitAndWait(w, '#save-company');
    await visit(w, '/settings', [`Firma ${P2}`, `Berlin ${P1}`]);
    await submitAndWait(w, '#logout');

    // A failed login puts the user name back into the form.
    await page.fill('#username', `${ADMIN.username}${P2}`);
    await page.fill('#password', 'wrong-password-123');
    const resp = await submitAndWait(w, 'form[action="/login"] button[type=submit]');
    assert.equal(resp.status(), 401);
    await assertNoInjection(w, 'failed login', [`${ADMIN.username}${P2}`]);
    assert.deepEqual(w.dialogs.map((d) => d.type), ['confirm'], 'the only dialog was the confirmation to issue');
    assertClean(w);
  });
});
