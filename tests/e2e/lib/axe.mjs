// axe-core (from npm, see package.json) run inside a page of the browser tests.
//
// The script is evaluated through the DevTools protocol, so the pages keep their Content
// Security Policy (an injected <script> element would be refused by it).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts a page must not have. */
export const BLOCKING = ['critical', 'serious'];

/**
 * Runs axe-core on the page as it is now (open lists included) and resolves to its
 * violations: [{ id, impact, help, nodes: ['selector: failure summary', ...] }].
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`),
    }));
  });
}

/** The critical and serious violations of the page, one readable line each. */
export async function blockingViolations(page) {
  const found = await axeViolations(page);
  return found
    .filter((v) => BLOCKING.includes(v.impact))
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' | ')}`);
}
