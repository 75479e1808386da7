// The error every JS API promise rejects with.
import type { ClientErrorCode } from './connection.ts';
import { LOG_PREFIX } from './log.ts';

/** A rejection: `code` is stable, the message says what happened or what to fix. */
export class VeryChatError extends Error {
  constructor(
    /** Misuse, or (for calls that talk to the server) the server's or the connection's code: OFFLINE, RATE_LIMITED, … */
    readonly code: 'INVALID_ARGUMENT' | 'UNKNOWN_METHOD' | 'NOT_BOOTED' | 'INTERNAL' | ClientErrorCode,
    message: string,
  ) {
    super(`${LOG_PREFIX} ${message}`);
    this.name = 'VeryChatError';
  }
}
