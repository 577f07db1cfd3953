/** The secret the committed logs' webhook tokens were derived with. */
export const HISTORY_SECRET = "history-secret-0123456789abcdef0123456789abcdef";
