// First run, login, logout and the language switch, in a real browser.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, ADMIN, COMPANY, STEP_TIMEOUT, assertClean, login, screenshot, submitAndWait } from './lib/harness.mjs';

describe('first run, login and language', { timeout: 180_000 }, () => {
  const h = harness('setup-login');
  let w;
  before(async () => {
    await h.start({ setup: false });
    w = await h.open();
  }, { timeout: STEP_TIMEOUT });
  after(() => h.stop(), { timeout: STEP_TIMEOUT });

  h.step('a fresh installation sends every page to /setup', async () => {
    const { page } = w;
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/setup');
    await page.goto('/contacts');
    assert.equal(new URL(page.url()).pathname, '/setup');
    await page.goto('/login');
    assert.equal(new URL(page.url()).pathname, '/setup');
    assert.equal(await page.locator('h1').innerText(), 'Kontor einrichten');
    assert.equal(await page.inputValue('#country'), 'DE');
    await screenshot(page, '01-setup');
  });

  h.step('setup names wrong fields and keeps what was typed', async () => {
    const { page } = w;
    await page.fill('#setup_code', 'AAAA-BBBB-CCCC');
    await page.fill('#name', COMPANY.name);
    await page.fill('#street', COMPANY.street);
    await page.fill('#postal_code', COMPANY.postal_code);
    await page.fill('#city', COMPANY.city);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.fill('#password2', ADMIN.password + 'x');
    const resp = await submitAndWait(w, 'form[action="/setup"] button[type=submit]');
    assert.equal(resp.status(), 422);
    assert.equal(new URL(page.url()).pathname, '/setup');
    const err = page.locator('#password2 + .field-error');
    await err.waitFor();
    assert.match(await err.innerText(), /stimm|match/i);
    assert.equal(await page.inputValue('#name'), COMPANY.name);
    assert.equal(await page.inputValue('#username'), ADMIN.username);
    await screenshot(page, '01-setup-errors');
  });

  h.step('setup wants the code that kontor serve printed', async () => {
    const { page } = w;
    await page.fill('#vat_id', COMPANY.vat_id);
    await page.fill('#tax_number', COMPANY.tax_number);
    await page.fill('#password', ADMIN.password);
    await page.fill('#password2', ADMIN.password);
    const resp = await submitAndWait(w, 'form[action="/setup"] button[type=submit]');
    assert.equal(resp.status(), 422);
    assert.match(await page.locator('#setup_code-error').innerText(), /Einrichtungscode/);
    assert.equal(await page.getAttribute('#setup_code', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#name'), COMPANY.name);
  });

  h.step('setup creates the company and the admin and logs in', async () => {
    const { page } = w;
    // Typed as people copy it from a console: lower case, with spaces.
    await page.fill('#setup_code', h.server.setupCode().toLowerCase().replaceAll('-', ' '));
    await page.fill('#password', ADMIN.password);
    await page.fill('#password2', ADMIN.password);
    await submitAndWait(w, 'form[action="/setup"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('main h1').innerText(), 'Übersicht');
    assert.equal(await page.locator('header .username').innerText(), ADMIN.username);
    for (const id of ['#card-open', '#card-overdue', '#card-month', '#card-year']) {
      await page.locator(id).waitFor();
    }
    assert.match(await page.locator('#card-open .big').innerText(), /^0,00 €$/);
    await screenshot(page, '02-dashboard');
    // The setup page is gone for good.
    await page.goto('/setup');
    assert.notEqual(new URL(page.url()).pathname, '/setup');
    // Settings show what setup stored.
    await page.goto('/settings');
    assert.equal(await page.inputValue('#c-name'), COMPANY.name);
    assert.equal(await page.inputValue('#c-vat_id'), COMPANY.vat_id);
    await screenshot(page, '09-settings');
    assertClean(w);
  });

  h.step('logout ends the session', async () => {
    const { page } = w;
    await page.goto('/');
    await submitAndWait(w, '#logout');
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.goto('/contacts');
    assert.equal(new URL(page.url()).pathname, '/login', 'pages need a session after logout');
  });

  h.step('a wrong password gets a 401 page with a message', async () => {
    const { page } = w;
    await page.goto('/login');
    assert.equal(await page.locator('h1').innerText(), 'Anmelden');
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', 'not-the-right-password');
    const resp = await submitAndWait(w, 'form[action="/login"] button[type=submit]');
    assert.equal(resp.status(), 401);
    const msg = page.locator('#login-error');
    await msg.waitFor();
    assert.ok((await msg.innerText()).length > 5);
    assert.equal(await page.inputValue('#username'), ADMIN.username, 'the user name stays filled in');
    await screenshot(page, '03-login-failed');
    // An unknown user gets the same answer.
    await page.fill('#username', 'nobody');
    await page.fill('#password', ADMIN.password);
    const resp2 = await submitAndWait(w, 'form[action="/login"] button[type=submit]');
    assert.equal(resp2.status(), 401);
    await page.locator('#login-error').waitFor();
  });

  h.step('the right password logs in', async () => {
    const { page } = w;
    await login(page);
    assert.equal(await page.locator('header .username').innerText(), ADMIN.username);
    const cookies = await w.context.cookies();
    const session = cookies.find((c) => c.name === 'kontor_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
  });

  h.step('the language switch toggles German and English and is kept', async () => {
    const { page } = w;
    await page.goto('/contacts');
    const nav = page.locator('header nav');
    assert.match(await nav.innerText(), /Kontakte/);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.locator('#switch-language').innerText(), 'English');
    await submitAndWait(w, '#switch-language');
    assert.equal(new URL(page.url()).pathname, '/contacts', 'stays on the page');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await nav.innerText(), /Contacts/);
    assert.doesNotMatch(await nav.innerText(), /Kontakte/);
    assert.equal(await page.locator('main h1').innerText(), 'Contacts');
    assert.equal(await page.locator('#switch-language').innerText(), 'Deutsch');
    // Kept for the user across pages.
    await page.goto('/');
    assert.equal(await page.locator('main h1').innerText(), 'Dashboard');
    await submitAndWait(w, '#switch-language');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.locator('main h1').innerText(), 'Übersicht');
    assertClean(w);
  });

  h.step('the login page follows ?lang= and Accept-Language', async () => {
    const en = await h.open({ locale: 'en-US' });
    await en.page.goto('/login');
    assert.equal(await en.page.locator('h1').innerText(), 'Log in');
    assert.equal(await en.page.getAttribute('html', 'lang'), 'en');
    await en.page.goto('/login?lang=de');
    assert.equal(await en.page.locator('h1').innerText(), 'Anmelden');
    // ?lang= is remembered in a cookie.
    await en.page.goto('/login');
    assert.equal(await en.page.locator('h1').innerText(), 'Anmelden');

    const de = await h.open({ locale: 'de-DE' });
    await de.page.goto('/login');
    assert.equal(await de.page.locator('h1').innerText(), 'Anmelden');
    await de.page.click('a[lang=en]');
    await de.page.waitForURL(/lang=en/);
    assert.equal(await de.page.locator('h1').innerText(), 'Log in');
    assert.equal(await de.page.locator('label[for=username]').innerText(), 'User name');
    assertClean(en);
    assertClean(de);
  });
});
