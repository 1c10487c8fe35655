// The README's nginx example is docs/nginx-portcullis.conf, which test/integration/scale/ runs: the README must show
// that file exactly, and the test's renderer must find every line it replaces (so the example can't drift).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NGINX_EXAMPLE, renderSite } from '../fixtures/nginx.js';

const example = readFileSync(NGINX_EXAMPLE, 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the nginx example', () => {
  it('is shown in the README exactly as shipped', () => {
    expect(readme).toContain(`\`\`\`nginx\n${example}\`\`\``);
  });

  it('has the settings the README promises', () => {
    for (const line of ['proxy_request_buffering off;', 'proxy_buffering off;', 'client_max_body_size 11g;', 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;', 'proxy_set_header X-Forwarded-Proto $scheme;']) {
      expect(example).toContain(line);
    }
    // Round-robin: nothing pins a client to one instance.
    const directives = example.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(directives).not.toMatch(/\b(ip_hash|sticky|hash\s+\$)/);
  });

  it('renders for the tests with only addresses, ports and certificate paths replaced', () => {
    const site = renderSite({ upstreams: ['127.0.0.1:5401', '127.0.0.1:5402'], httpsListen: '127.0.0.1:5400', httpListen: '127.0.0.1:5403', certFile: '/x/cert.pem', keyFile: '/x/key.pem' });
    expect(site).toContain('    server 127.0.0.1:5401;\n    server 127.0.0.1:5402;\n');
    expect(site).toContain('listen 127.0.0.1:5400 ssl;');
    expect(site).toContain('listen 127.0.0.1:5403;');
    expect(site).not.toContain('10.0.0.1');
    const changed = (text: string): string[] => text.split('\n').filter((l) => /server 1|listen|ssl_certificate/.test(l));
    expect(site.split('\n').length).toBe(example.split('\n').length);
    expect(site.split('\n').filter((l, i) => l !== example.split('\n')[i])).toEqual(changed(site).filter((l) => !example.includes(l)));
  });
});
