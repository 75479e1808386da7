// Limits both sides enforce. No zod here, so the widget can import the values without pulling zod in.
export const MAX_MESSAGE_LENGTH = 4000;
/** An agent's private note. */
export const MAX_NOTE_CHARS = 4000;
export const MAX_HISTORY_PAGE = 100;
/** `list-conversations` returns at most this many per page. */
export const MAX_CONVERSATIONS_PAGE = 50;
/** `get-notifications` returns at most this many per page. */
export const MAX_NOTIFICATIONS_PAGE = 100;
/** `mark-notifications-read` takes at most this many ids per call (or `{ all: true }`). */
export const MAX_READ_IDS = 100;
