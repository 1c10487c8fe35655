// axe-core in real Chromium (issue 14 "Accessibility"): inject the engine into a page and collect the serious and
// critical violations, each printed as one readable block (rule, impact, help, the offending nodes).
//
// The app's strict CSP (script-src 'self') refuses an injected script: the context that runs axe must be made with
// `bypassCSP: true` (axeContextOptions below). Only the accessibility tests do that; the CSP tests keep it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContextOptions, Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Options every context that runs axe needs (on top of viewport and device). */
export const axeContextOptions: BrowserContextOptions = { bypassCSP: true };

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * The axe rules whose outcome a theme or colour mode can change: colours (contrast, links told apart from text)
 * and sizes (tap targets, a region that starts to scroll). Everything else axe checks (names, roles, labels,
 * landmarks, order) is in the markup, which is the same in every look: the default look runs every rule, and the
 * other looks run these. (It saves little time: color-contrast, the costly rule, stays. target-size is not in axe's
 * default run, so naming it here checks more than before.)
 */
export const LOOK_RULES = ['color-contrast', 'link-in-text-block', 'target-size', 'scrollable-region-focusable'];

/**
 * Runs axe on the page as it is now; returns the serious and critical violations, formatted (empty: none).
 * `rules`: only these (LOOK_RULES for a look other than the default); every rule without.
 */
export async function axeProblems(page: Page, label: string, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], ...(rules === undefined ? {} : { runOnly: { type: 'rule', values: rules } }) });
    return result.violations;
  }, rules) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => [
      `[${label}] ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})`,
      ...v.nodes.slice(0, 5).map((n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`),
      ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : []),
    ].join('\n'));
}

/** The page is wider than the viewport (the root scrolls sideways): a description of the widest elements, or ''. */
export async function horizontalOverflow(page: Page, label: string): Promise<string> {
  const info = await page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const width = root.clientWidth;
    // The culprits: elements past the viewport's right edge that no scrolling ancestor clips, outermost first.
    const clipped = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const culprits: string[] = [];
    // When nothing unclipped is found, list the clipped ones too: better a lead than an empty message.
    for (const loose of [false, true]) {
    if (culprits.length > 0) break;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 0.5 && (!clipped(el) || loose)) {
        culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${Array.from(el.classList).join('.')} right=${Math.round(r.right)}`);
      }
      if (culprits.length >= 6) break;
    }
    }
    return { scroll: root.scrollWidth, client: width, culprits };
  });
  return info ? `[${label}] scrollWidth ${info.scroll} > clientWidth ${info.client}: ${info.culprits.join('; ')}` : '';
}

/** One colour pair axe found too faint: the measured ratio, the colours, how many elements, and one of them. */
export interface ContrastFailure {
  ratio: number;
  required: number;
  fg: string;
  bg: string;
  count: number;
  example: string;
}

/** axe's colour-contrast rule alone, its failures grouped by colour pair (lowest ratio first): what to fix, measured. */
export async function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const nodes = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { nodes: { target: unknown[]; any: { data?: Record<string, unknown> }[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: ['color-contrast'], resultTypes: ['violations'] });
    return result.violations.flatMap((v) => v.nodes.map((n) => ({ target: JSON.stringify(n.target), data: n.any[0]?.data ?? {} })));
  });
  const groups = new Map<string, ContrastFailure>();
  for (const { target, data } of nodes) {
    const fg = String(data.fgColor ?? '?');
    const bg = String(data.bgColor ?? '?');
    const key = `${fg}/${bg}`;
    const known = groups.get(key);
    if (known) known.count += 1;
    else groups.set(key, { ratio: Number(data.contrastRatio ?? 0), required: parseFloat(String(data.expectedContrastRatio ?? '4.5')), fg, bg, count: 1, example: target });
  }
  return [...groups.values()].sort((a, b) => a.ratio - b.ratio);
}
