import path from 'node:path';
import ejs from 'ejs';

type Callback = (err: Error | null, html?: string) => void;

/**
 * EJS has no layouts, so this engine renders a page and then wraps it in layouts/<layout>.ejs
 * (base unless the page's locals say `layout: 'name'` or `layout: false`). Only files under
 * views/pages/ are wrapped; partials and layouts render as they are. Routes keep calling
 * res.render('pages/x', locals) as usual.
 */
export function layoutEngine(viewsDir: string) {
  const pagesDir = path.join(viewsDir, 'pages') + path.sep;
  return (file: string, options: object, callback: Callback): void => {
    ejs.renderFile(file, options, (err, body) => {
      if (err) return callback(err);
      const layout = (options as { layout?: unknown }).layout;
      if (!file.startsWith(pagesDir) || layout === false) return callback(null, body);
      const name = typeof layout === 'string' ? layout : 'base';
      ejs.renderFile(path.join(viewsDir, 'layouts', `${name}.ejs`), { ...options, body }, (layoutErr, html) =>
        layoutErr ? callback(layoutErr) : callback(null, html),
      );
    });
  };
}
