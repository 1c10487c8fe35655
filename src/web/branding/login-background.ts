import type { RequestHandler } from 'express';

/**
 * Picks the login page's background: round-robin over the folder's images, so consecutive visits differ
 * (random could show the same one twice running) and every image gets its turn. The page names it with a
 * class from /branding/login.css, never an inline style, so the CSP keeps style-src 'self'.
 */
export function loginBackground(count: number): RequestHandler {
  let next = 0;
  return (_req, res, done) => {
    if (count > 0) {
      res.locals.loginBackground = next;
      next = (next + 1) % count;
    }
    done();
  };
}

/** One class per background, plus the page look; served as /branding/login.css. */
export function loginStylesheet(count: number): string {
  const rules = [
    '.pc-login-page{background-color:#22223b;background-position:center;background-size:cover;background-repeat:no-repeat}',
    // The card stays solid: text never sits on the image, so its contrast is the theme's own.
    '.pc-login-page .login-card{background-color:var(--bs-body-bg)}',
  ];
  for (let i = 0; i < count; i++) rules.push(`.pc-login-bg-${i}{background-image:url("/branding/login-background/${i}")}`);
  return `${rules.join('\n')}\n`;
}
