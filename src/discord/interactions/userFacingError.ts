/**
 * An error the person who ran a command can act on. Its message is shown to them
 * as an ephemeral reply, so it must be short, plain and free of internal detail.
 * Anything else thrown by a handler is logged with context and the person sees a
 * generic apology instead.
 */
export class UserFacingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserFacingError';
  }
}
