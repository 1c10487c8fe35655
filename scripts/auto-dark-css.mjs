// Build helper: from a Bootstrap 5.3 (or Bootswatch) stylesheet, the CSS that makes colour mode "auto" follow the
// OS without script. Every rule whose selector starts with [data-bs-theme=dark] (the dark variables, and the few
// component rules Bootstrap scopes the same way: select arrows, switches, the toggler icon, close buttons...) is
// copied with that prefix replaced by [data-bs-theme-auto], all inside @media (prefers-color-scheme: dark).
// The page renders <html data-bs-theme-auto> for auto; loaded after the theme, the copies win over :root's light
// values (same specificity, later), so the first paint already has the OS's scheme.

const DARK = '[data-bs-theme=dark]';
const AUTO = '[data-bs-theme-auto]';

/** Index just past the block that opens at css[open] === '{', skipping strings and comments. */
function blockEnd(css, open) {
  let depth = 0;
  for (let i = open; i < css.length; i++) {
    const c = css[i];
    if (c === '"' || c === "'") {
      i = stringEnd(css, i);
    } else if (c === '/' && css[i + 1] === '*') {
      i = css.indexOf('*/', i + 2) + 1;
      if (i === 0) throw new Error('unterminated comment');
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces');
}

function stringEnd(css, start) {
  for (let i = start + 1; i < css.length; i++) {
    if (css[i] === '\\') i++;
    else if (css[i] === css[start]) return i;
  }
  throw new Error('unterminated string');
}

/** Splits a selector list at top-level commas (not those inside :not(...) or attribute values). */
function splitSelectors(list) {
  const out = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '"' || c === "'") i = stringEnd(list, i);
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(list.slice(from).trim());
  return out;
}

/** The dark rules of `css` (recursing into @media/@supports), rewritten for auto; '' when there are none. */
function darkRules(css) {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const c = css[i];
    if (/\s/.test(c) || c === ';') {
      i++;
      continue;
    }
    if (c === '/' && css[i + 1] === '*') {
      i = css.indexOf('*/', i + 2) + 2;
      continue;
    }
    const open = css.indexOf('{', i);
    const semi = css.indexOf(';', i);
    if (css[i] === '@' && semi !== -1 && (open === -1 || semi < open)) {
      i = semi + 1; // @charset, @import: nothing to copy
      continue;
    }
    if (open === -1) break;
    const end = blockEnd(css, open);
    const prelude = css.slice(i, open).trim();
    const body = css.slice(open + 1, end - 1);
    if (prelude.startsWith('@')) {
      // Keyframes and font faces hold no selectors; conditional groups may hold dark rules.
      if (/^@(media|supports|layer|container)\b/.test(prelude)) {
        const inner = darkRules(body);
        if (inner) out += `${prelude}{${inner}}`;
      }
    } else {
      const dark = splitSelectors(prelude).filter((s) => s.startsWith(DARK));
      if (dark.length > 0) out += `${dark.map((s) => AUTO + s.slice(DARK.length)).join(',')}{${body}}`;
    }
    i = end;
  }
  return out;
}

export function autoDarkCss(css) {
  const rules = darkRules(css);
  return rules ? `@media (prefers-color-scheme:dark){${rules}}\n` : '';
}
