import path from 'node:path';
import ejs from 'ejs';

type Callback = (err: Error | null, html?: string) => void;

/**
 * EJS has no layouts, so this engine renders a page and then wraps it in layouts/<layout>.ejs
 * (base unless the page's locals say `layout: 'name'` or `layout: false`). Only files under
 * views/pages/ are wrapped; partials and layouts render as they are. Routes keep calling
 * res.render('pages/x', locals) as usual.
 *
 * Templates include partials by absolute name (`include('/partials/navbar')`), resolved against `root` (the
 * views folder) without touching the disk: a relative include costs an existsSync per include per render
 * (~15 on a folder page, 1% of the app's CPU under load). Relative includes still work.
 */
export function layoutEngine(viewsDir: string) {
  const pagesDir = path.join(viewsDir, 'pages') + path.sep;
  return (file: string, options: object, callback: Callback): void => {
    // Given options, EJS no longer reads Express's 'view cache' setting itself (compiled templates kept per file).
    const settings = (options as { settings?: Record<string, unknown> }).settings;
    const opts = { root: viewsDir, cache: settings?.['view cache'] === true };
    ejs.renderFile(file, options, opts, (err, body) => {
      if (err) return callback(err);
      const layout = (options as { layout?: unknown }).layout;
      if (!file.startsWith(pagesDir) || layout === false) return callback(null, body);
      const name = typeof layout === 'string' ? layout : 'base';
      ejs.renderFile(path.join(viewsDir, 'layouts', `${name}.ejs`), { ...options, body }, opts, (layoutErr, html) =>
        layoutErr ? callback(layoutErr) : callback(null, html),
      );
    });
  };
}

/**
 * For templates: `sameFor(key, () => include(…))` renders a fragment once per key while views are cached, then
 * repeats it. Only for fragments that depend on nothing but the key's parts (the language) and app-wide locals,
 * such as the keyboard-shortcuts dialog every folder page carries (~0.15 ms per page, rendered anew each time).
 * Keys are written in templates, so the set is fixed and small.
 */
export function fragmentCache(viewCacheOn: () => boolean): (key: string, render: () => string) => string {
  const kept = new Map<string, string>();
  return (key, render) => {
    if (!viewCacheOn()) return render();
    let html = kept.get(key);
    if (html === undefined) kept.set(key, (html = render()));
    return html;
  };
}
