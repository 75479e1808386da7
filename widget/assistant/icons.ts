// SVG path data of the assistant's icons (24×24, even-odd fill; see components/Icon.tsx).
export const HELP_ICON =
  'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4zM12 15.3a1.2 1.2 0 1 1 0 2.4 1.2 1.2 0 0 1 0-2.4zM12 6.3a3.4 3.4 0 0 1 3.4 3.4c0 1.4-.8 2.1-1.6 2.7-.6.4-.9.7-.9 1.3v.3h-1.8v-.4c0-1.3.8-2 1.5-2.5.6-.4 1-.8 1-1.4a1.6 1.6 0 0 0-3.2 0H8.6A3.4 3.4 0 0 1 12 6.3z';
export const SEARCH_ICON = 'M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z';
export const BACK_ICON = 'M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z';
export const CHEVRON_ICON = 'M9.4 6 8 7.4l4.6 4.6L8 16.6 9.4 18l6-6z';
export const SPARKLE_ICON = 'M11 2h2l1.6 5.4L20 9v2l-5.4 1.6L13 18h-2l-1.6-5.4L4 11V9l5.4-1.6zm7.2 12h1.6l.7 2.3 2.3.7v1.6l-2.3.7-.7 2.3h-1.6l-.7-2.3-2.3-.7V17l2.3-.7z';
export const PERSON_ICON = 'M12 3a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 10.5c4.2 0 8 2 8 5V21H4v-2.5c0-3 3.8-5 8-5z';
export const ARTICLE_ICON = 'M6 2h9l5 5v15H6zm1.8 1.8v16.4h10.4V8H14V3.8zM9 11h7v1.6H9zm0 3.5h7v1.6H9z';
export const UP_ICON = 'M2 10h4v11H2zm6 11h9.5a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 19 10h-5.3l.8-4a1.7 1.7 0 0 0-3-1.4L8 9z';
export const DOWN_ICON = 'M22 14h-4V3h4zM16 3H6.5a2 2 0 0 0-2 1.6l-1.4 7A2 2 0 0 0 5 14h5.3l-.8 4a1.7 1.7 0 0 0 3 1.4L16 15z';
export const RECEIPT_ICON = 'M5 2h14v20l-2.3-1.5-2.4 1.5-2.3-1.5-2.3 1.5-2.4-1.5L5 22zm3 5v1.6h8V7zm0 4v1.6h8V11zm0 4v1.6h5V15z';
export const ALERT_ICON = 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 5v7h2V7zm0 9v2h2v-2z';
export const CLEAR_ICON = 'M7.4 6 12 10.6 16.6 6 18 7.4 13.4 12l4.6 4.6-1.4 1.4-4.6-4.6L7.4 18 6 16.6l4.6-4.6L6 7.4z';
export const CLOCK_ICON = 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4zM11 6h1.8v5.6l4 2.4-.9 1.5-4.9-2.9z';
export const LOCK_ICON = 'M12 2a5 5 0 0 1 5 5v3h2v12H5V10h2V7a5 5 0 0 1 5-5zm0 1.8A3.2 3.2 0 0 0 8.8 7v3h6.4V7A3.2 3.2 0 0 0 12 3.8zM11 14v4h2v-4z';
