/**
 * Asks Discord who a bot token belongs to (`GET /users/@me`), bounded in time. Start-up does
 * this before anything expensive (the model download, the store), and `commands:deploy`
 * before registering: a wrong token, an offline machine or a Discord that does not answer
 * is then told in plain words within seconds, not after a 300 MB download.
 */

export interface BotIdentity {
  id: string;
  username: string;
}

export const IDENTITY_TIMEOUT_MS = 30_000;

const TOKEN_ADVICE =
  'Copy the current token from https://discord.com/developers/applications → your app → Bot → Reset Token ' +
  'into DISCORD_TOKEN (in .env or the environment).';

/** Discord answered 401: the token is wrong or was reset. Restarting will not help. */
export class DiscordTokenRefusedError extends Error {
  constructor() {
    super(`Discord refused the bot token in DISCORD_TOKEN (HTTP 401 Unauthorized): it is wrong, or it was reset. ${TOKEN_ADVICE}`);
    this.name = 'DiscordTokenRefusedError';
  }
}

/** Discord could not be asked: no connection, no answer in time, or an answer that is not one. */
export class DiscordUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscordUnavailableError';
  }
}

export async function fetchBotIdentity(apiUrl: string, token: string, timeoutMs = IDENTITY_TIMEOUT_MS): Promise<BotIdentity> {
  const base = apiUrl.replace(/\/+$/, '');
  const reachAdvice =
    `Check that this machine is online and can reach ${new URL(base).host} (DNS, firewall, proxy)` +
    (base === 'https://discord.com/api' ? '.' : `, and that DISCORD_API_URL (${base}) is right.`);
  let response: Response;
  try {
    response = await fetch(`${base}/v10/users/@me`, {
      headers: { authorization: `Bot ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new DiscordUnavailableError(
        `Discord at ${base} did not answer within ${timeoutMs / 1000} s. ${reachAdvice} ` +
          'Discord itself may be having an outage: see https://discordstatus.com.',
        { cause: error },
      );
    }
    throw new DiscordUnavailableError(`Cannot reach Discord at ${base} (${networkReason(error)}). ${reachAdvice}`, { cause: error });
  }
  if (response.status === 401) throw new DiscordTokenRefusedError();
  const body = (await response.json().catch(() => undefined)) as Partial<BotIdentity> | undefined;
  if (response.ok && typeof body?.id === 'string') return { id: body.id, username: body.username ?? body.id };
  if (response.status >= 500) {
    throw new DiscordUnavailableError(
      `Discord at ${base} answered HTTP ${response.status}: it may be having an outage (see https://discordstatus.com); try again in a few minutes.`,
    );
  }
  throw new DiscordUnavailableError(
    `Discord at ${base} answered HTTP ${response.status} when asked who the bot is, which Discord does not do: check DISCORD_API_URL.`,
  );
}

/** The most specific words for a failed connection: `getaddrinfo ENOTFOUND discord.com`, `connect ECONNREFUSED …`. */
function networkReason(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof AggregateError && current.errors[0] instanceof Error) current = current.errors[0];
  return current instanceof Error ? current.message : String(current);
}
