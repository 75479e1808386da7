/** Prefix of every console line, so merchants can filter our output. */
export const LOG_PREFIX = '[VeryChat]';

/** Console output, prefixed; `debug` lines only when data-debug or VeryChat('debug', true) is on. */
export interface Logger {
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  setDebug(on: boolean): void;
  readonly debugging: boolean;
}

export function createLogger(debug = false, out: Pick<Console, 'debug' | 'warn' | 'error'> = console): Logger {
  let on = debug;
  return {
    debug: (...args) => void (on && out.debug(LOG_PREFIX, ...args)),
    warn: (...args) => out.warn(LOG_PREFIX, ...args),
    error: (...args) => out.error(LOG_PREFIX, ...args),
    setDebug: (value) => void (on = value),
    get debugging() {
      return on;
    },
  };
}
