// Limits both sides enforce. No zod here, so the widget can import the values without pulling zod in.
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_HISTORY_PAGE = 100;
