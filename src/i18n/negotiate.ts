/**
 * Which shipped language to serve for an Accept-Language header (RFC 9110 §12.5.4): the highest q-value first,
 * a region falls back to its language ("de-AT" → de), q=0 means "not this one", and nothing suitable → the
 * fallback. Pure.
 */
export function negotiateLanguage<L extends string>(header: string | undefined, supported: readonly L[], fallback: L): L {
  if (!header) return fallback;
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const qParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { tag: tag.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    // Stable: equal q-values keep the header's order.
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === '*') return fallback;
    const exact = supported.find((l) => l.toLowerCase() === tag);
    if (exact) return exact;
    const primary = tag.split('-')[0];
    const base = supported.find((l) => l.toLowerCase() === primary);
    if (base) return base;
  }
  return fallback;
}
