// SVG path data of the core's icons (features keep their own next to them).
export const CHAT_ICON = 'M5 3h14a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3H9.5L4 22v-4.2A3 3 0 0 1 2 15V6a3 3 0 0 1 3-3z';
export const CLOSE_ICON = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z';
export const SEND_ICON = 'M3 20.5 21.5 12 3 3.5 3 10l13 2-13 2z';
export const DOWN_ICON = 'M12 16.5 5 9.5 6.4 8.1l5.6 5.6 5.6-5.6L19 9.5z';
export const LIST_ICON = 'M4 6h16v2H4zm0 5h16v2H4zm0 5h11v2H4z';
