// The host page's own buttons and badges, no code needed from the merchant: any element with
// `data-verychat="chat" | "help" | "notifications" | …` opens that view of the widget when clicked, and
// every `data-verychat-badge` element shows the unread count. Delegated from the document, so elements
// the page adds later work too. Only those elements' clicks are taken over: a link opened in a new tab
// (modifier keys, middle click) stays a link, and so does every link when the widget cannot open.

const VIEW = '[data-verychat]';
const BADGE = '[data-verychat-badge]';

/** Opens `view`; false when the widget cannot (the element then does what it would do without us). */
export type OpenView = (view: string, element: HTMLElement) => boolean;

export function watchPage(doc: Document, open: OpenView): () => void {
  const activate = (e: Event, el: Element | null | undefined): void => {
    if (el && open(el.getAttribute('data-verychat')!, el as HTMLElement)) e.preventDefault();
  };
  const onClick = (e: MouseEvent): void => {
    if (!(e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)) activate(e, (e.target as Element).closest?.(VIEW));
  };
  // role=button elements that are not buttons get a button's keys (links turn Enter into a click themselves).
  const onKey = (e: KeyboardEvent): void => {
    const el = (e.target as Element).closest?.(`${VIEW}[role=button]`);
    if (el && !e.defaultPrevented && el.localName !== 'button' && (e.key === ' ' || (e.key === 'Enter' && !el.matches('a[href]')))) activate(e, el);
  };
  doc.addEventListener('click', onClick);
  doc.addEventListener('keydown', onKey);
  return () => {
    doc.removeEventListener('click', onClick);
    doc.removeEventListener('keydown', onKey);
  };
}

/** Shows `n` in every badge element (hidden at 0), now and in any the page adds later. */
export function showBadges(doc: Document, n: number, label: string): () => void {
  const text = n > 99 ? '99+' : n ? String(n) : '';
  const sync = (): void => {
    for (const el of doc.querySelectorAll<HTMLElement>(BADGE)) {
      // Only real changes: our own writes must not wake the observer forever.
      if (el.textContent !== text) el.textContent = text;
      if (el.hidden !== !n) el.hidden = !n;
      if (n) el.setAttribute('aria-label', label);
      else el.removeAttribute('aria-label');
    }
  };
  sync();
  const watcher = new MutationObserver(sync);
  watcher.observe(doc.body ?? doc.documentElement, { childList: true, subtree: true });
  return () => watcher.disconnect();
}
