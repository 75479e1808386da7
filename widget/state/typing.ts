// Outgoing typing notices: at most one `true` per interval while the visitor keeps typing, and one
// `false` when they stop (idle timeout, send, blur). Timers are injected so tests can drive them.
export interface TypingThrottle {
  /** The visitor typed something. */
  input(): void;
  /** The visitor sent, cleared the box or left it: stop now if we said we were typing. */
  stop(): void;
}

export interface TypingOptions {
  send(isTyping: boolean): void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
  intervalMs?: number;
  idleMs?: number;
}

export function createTypingThrottle({
  send,
  now = Date.now,
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  intervalMs = 2000,
  idleMs = 3000,
}: TypingOptions): TypingThrottle {
  let typing = false;
  let lastSent = Number.NEGATIVE_INFINITY;
  let idleTimer: unknown;
  const stop = (): void => {
    clearTimer(idleTimer);
    idleTimer = undefined;
    if (!typing) return;
    typing = false;
    send(false);
  };
  return {
    input() {
      const t = now();
      if (!typing || t - lastSent >= intervalMs) {
        typing = true;
        lastSent = t;
        send(true);
      }
      clearTimer(idleTimer);
      idleTimer = setTimer(stop, idleMs);
    },
    stop,
  };
}
