import { english, type Messages, type MessageKey, type ParamArgs } from '../messages/messages.js';

/**
 * An error the person who ran a command can act on. It names a message, shown to them in
 * their language as a private reply, so it must be short, plain and free of internal detail.
 * Anything else thrown by a handler is logged with context and the person sees a generic
 * apology instead. Its `message` is the English text (for logs).
 */
export class UserFacingError<K extends MessageKey = MessageKey> extends Error {
  private readonly args: ParamArgs<K>;

  constructor(
    readonly key: K,
    ...args: ParamArgs<K>
  ) {
    super(english.text(key, ...args));
    this.name = 'UserFacingError';
    this.args = args;
  }

  /** Keeps the error this one stands for, for the logs. */
  because(cause: unknown): this {
    this.cause = cause;
    return this;
  }

  /** The message in the language of whoever reads it. */
  textIn(messages: Messages): string {
    return messages.text(this.key, ...this.args);
  }
}
