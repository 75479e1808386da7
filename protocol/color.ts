// Colour maths for the merchant's brand colour, shared by the widget and the receipt page the server
// renders. Only #rgb / #rrggbb is accepted: the value lands in CSS, so anything looser would be a way
// to inject CSS.

/** `#rgb` or `#rrggbb` (any case) -> `#rrggbb` lower-case; anything else -> null. */
export function parseHexColor(value: unknown): string | null {
  const hex = typeof value === 'string' && /^#([0-9a-f]{3}){1,2}$/i.exec(value.trim())?.[0].toLowerCase();
  return hex ? (hex.length === 4 ? hex.replace(/\w/g, '$&$&') : hex) : null;
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Text colour for content drawn on the brand colour: white or black, whichever contrasts more.
 * Solving contrast(bg, white) >= contrast(bg, black) for the background's luminance L gives
 * (L + 0.05)^2 <= 1.05 * 0.05, i.e. L <= 0.1791; at that point both reach 4.58:1, so WCAG AA
 * (4.5:1) holds for any brand colour. (A softer #111 would drop the worst case to 4.35:1.)
 */
export function readableTextColor(bg: string): string {
  return luminance(bg) <= 0.1791 ? '#fff' : '#000';
}
