/** A test used the fake wrongly (unknown id, impossible request); the message says what to fix. */
export class FakeDiscordUsageError extends Error {
  override name = 'FakeDiscordUsageError';
}

/** An error answer of the REST API, shaped as Discord's JSON error body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

export const unknownChannel = () => new ApiError(404, 10003, 'Unknown Channel');
export const unknownMessage = () => new ApiError(404, 10008, 'Unknown Message');
export const unknownGuild = () => new ApiError(404, 10004, 'Unknown Guild');
export const unknownMember = () => new ApiError(404, 10007, 'Unknown Member');
export const unknownUser = () => new ApiError(404, 10013, 'Unknown User');
export const unknownInteraction = () => new ApiError(404, 10062, 'Unknown interaction');
export const unknownWebhook = () => new ApiError(404, 10015, 'Unknown Webhook');
export const missingAccess = () => new ApiError(403, 50001, 'Missing Access');
export const missingPermissions = () => new ApiError(403, 50013, 'Missing Permissions');
export const invalidFormBody = (errors: unknown) => new ApiError(400, 50035, 'Invalid Form Body', errors);
