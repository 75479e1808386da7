// The single element VeryChat adds to the host page.
//
// Why a custom element name: a hostile `div { display: none !important }` would hide a div host.
// Why inline !important styles: they outrank any author rule for the host. The shadow CSS adds
// `:host { all: initial !important }`, which resets everything else the page could set on it.
// Why the top layer (popover): a page overlay with z-index 2147483647 later in the DOM would paint
// over us; the top layer sits above every z-index. Browsers without popover fall back to z-index.
export const HOST_TAG = 'verychat-widget';

// Set through CSSOM, not a style attribute: a storefront's Content-Security-Policy may forbid
// inline style attributes (style-src-attr), but never CSSOM.
const HOST_STYLE: [string, string][] = [
  ['display', 'block'],
  ['position', 'fixed'],
  ['z-index', '2147483647'],
];

export interface Host {
  host: HTMLElement;
  root: ShadowRoot;
}

/**
 * Styles for the shadow root: a constructed stylesheet where supported (a page's CSP `style-src`
 * without 'unsafe-inline' blocks <style> elements, not constructed sheets), a <style> otherwise.
 */
export function adoptStyles(root: ShadowRoot, css: string): void {
  const win = root.ownerDocument.defaultView as (Window & typeof globalThis) | null;
  try {
    const sheet = new win!.CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  } catch {
    // Not supported here: fall back to an element.
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = css;
  root.prepend(style);
}

export function createHost(doc: Document): Host {
  const host = doc.createElement(HOST_TAG);
  for (const [name, value] of HOST_STYLE) host.style.setProperty(name, value, 'important');
  const root = host.attachShadow({ mode: 'open' });
  (doc.body || doc.documentElement).appendChild(host);
  raise(host);
  return { host, root };
}

/** Put the host in the top layer (again): also used after the app re-appends it. */
export function raise(host: HTMLElement): void {
  try {
    host.setAttribute('popover', 'manual');
    if (host.matches(':popover-open')) host.hidePopover(); // Re-showing moves it to the top again.
    host.showPopover();
  } catch {
    // No popover support (or already shown): the z-index above still applies.
  }
}
