import type { RequestHandler } from 'express';

/**
 * No inline script or style anywhere, so the policy needs no 'unsafe-inline' or nonces.
 * Bootswatch themes that @import Google Fonts fall back to their system font stack, on purpose:
 * a university file manager should not tell a third party who is using it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const STATIC_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'Origin-Agent-Cluster': '?1',
};

export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    for (const [name, value] of Object.entries(STATIC_HEADERS)) res.setHeader(name, value);
    // Only over HTTPS (directly or per a trusted proxy): HSTS sent over plain HTTP is ignored anyway,
    // and sending it from a development server would pin localhost to HTTPS in the browser.
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
