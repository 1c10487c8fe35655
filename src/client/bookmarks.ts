/**
 * The bookmarks page: drag a row by its handle to reorder. The move goes to the same route as the move up/down
 * forms (`to` = the new position), which moves it within what is stored at that moment, so another tab's change
 * is kept. Rename, move and remove work without this (plain forms).
 */
export function enableBookmarks(): void {
  const list = document.querySelector<HTMLOListElement>('[data-bookmarks]');
  if (!list) return;
  const csrf = list.dataset.csrf ?? '';
  let dragged: HTMLElement | undefined;

  const rows = (): HTMLElement[] => [...list.querySelectorAll<HTMLElement>('[data-bookmark-id]')];

  list.addEventListener('dragstart', (event) => {
    const handle = (event.target as Element).closest('.pc-drag-handle');
    const row = handle?.closest<HTMLElement>('[data-bookmark-id]');
    if (!row || !event.dataTransfer) return;
    dragged = row;
    row.classList.add('pc-dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', row.dataset.name ?? '');
    event.dataTransfer.setDragImage(row, 10, 10);
  });
  list.addEventListener('dragover', (event) => {
    if (!dragged) return;
    const over = (event.target as Element).closest<HTMLElement>('[data-bookmark-id]');
    event.preventDefault();
    if (!over || over === dragged) return;
    // Above or below the row under the pointer, by which half it is in.
    const box = over.getBoundingClientRect();
    over.parentElement?.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? over : over.nextSibling);
  });
  list.addEventListener('drop', (event) => {
    if (dragged) event.preventDefault();
  });
  list.addEventListener('dragend', () => {
    const row = dragged;
    dragged = undefined;
    if (!row) return;
    row.classList.remove('pc-dragging');
    const to = rows().indexOf(row);
    const body = new URLSearchParams({ to: String(to), _csrf: csrf });
    void fetch(`/bookmarks/${encodeURIComponent(row.dataset.bookmarkId ?? '')}/move`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      body,
    })
      .then((res) => {
        if (!res.ok) throw new Error(String(res.status));
        // The numbers, the first/last arrows' disabled state and the menu come from the server.
        window.location.reload();
      })
      .catch(() => window.location.reload());
  });
}
