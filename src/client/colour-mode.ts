/**
 * The navbar's "Colour mode" control with JavaScript: the page switches at once (the same <html> attributes the
 * server renders, src/web/theme/appearance.ts; the auto stylesheet is already linked) and the choice is saved in
 * the background. Without this, the form posts and the server redirects back.
 */
type Mode = 'light' | 'dark' | 'auto';
const isMode = (v: string): v is Mode => v === 'light' || v === 'dark' || v === 'auto';

function applyMode(mode: Mode): void {
  const html = document.documentElement;
  document.querySelector('meta[name="color-scheme"]')?.setAttribute('content', mode === 'auto' ? 'light dark' : mode);
  if (mode === 'auto') {
    html.removeAttribute('data-bs-theme');
    html.setAttribute('data-bs-theme-auto', '');
  } else {
    html.removeAttribute('data-bs-theme-auto');
    html.setAttribute('data-bs-theme', mode);
  }
}

export function enableColourMode(): void {
  const details = document.querySelector<HTMLDetailsElement>('.pc-colour-mode-details');
  const form = details?.querySelector<HTMLFormElement>('form');
  if (!details || !form) return;
  // A dark-only theme renders no mode attributes; switching them would put Bootstrap's generic dark over it.
  const fixed = form.querySelector('.pc-colour-mode-note') !== null;

  form.addEventListener('submit', (event) => {
    const button = event.submitter;
    if (!(button instanceof HTMLButtonElement) || !isMode(button.value)) return;
    event.preventDefault();
    if (!fixed) {
      applyMode(button.value);
      for (const b of form.querySelectorAll<HTMLButtonElement>('button[name="colourMode"]')) b.setAttribute('aria-pressed', String(b === button));
    }
    details.open = false;
    const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
    body.set('colourMode', button.value);
    void fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    }).then((res) => {
      // Not saved (signed out, store down): the plain form post shows why. submit() fires no submit event and
      // carries no submitter, so the choice goes in a hidden field.
      if (res.ok) return;
      const field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'colourMode';
      field.value = body.get('colourMode') ?? '';
      form.append(field);
      form.submit();
    });
  });

  // Close like a menu: Escape, or a click elsewhere.
  document.addEventListener('click', (event) => {
    if (details.open && !details.contains(event.target as Node)) details.open = false;
  });
  details.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && details.open) {
      details.open = false;
      details.querySelector('summary')?.focus();
    }
  });
}
