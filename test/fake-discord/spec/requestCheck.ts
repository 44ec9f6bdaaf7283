import { invalidFormBody, type ApiError } from '../errors.js';
import { DiscordSpec } from './discordSpec.js';
import { discordErrorTree, fieldErrors, formatFieldErrors, type FieldError } from './formErrors.js';

/** Every REST body the bot sends is checked against Discord's OpenAPI spec before a handler sees it. */

export interface BodyRefusal {
  /** The 400 Invalid Form Body (50035) Discord would answer. */
  answer: ApiError;
  /** For a test author: the route, the spec's name for the body, and one line per field. */
  explanation: string;
}

/** `path` is relative to `/api/v10`. Null when the body is valid, or the spec has no named schema for it. */
export function refuseInvalidBody(method: string, path: string, body: unknown): BodyRefusal | null {
  const spec = DiscordSpec.get();
  const operation = spec.operation(method, path);
  const request = operation ? spec.requestSchema(operation) : null;
  if (!operation || !request) return null;
  const result = request.schema.safeParse(body, { reportInput: true });
  if (result.success) return null;
  const errors = fieldErrors(result.error.issues);
  if (errors.length === 0) return null;
  return {
    answer: invalidFormBody(discordErrorTree(errors)),
    explanation: explain(`${method} ${operation.path}`, `does not match Discord's OpenAPI spec (${request.name})`, errors),
  };
}

/** The same explanation for a 400 a handler raised (limits the spec cannot express, an empty message, ...). */
export function explainBadRequest(route: string, error: ApiError): string | null {
  if (error.status !== 400) return null;
  if (error.errors === undefined) return `${route}: refused: ${error.message} (${error.code})`;
  return explain(route, 'breaks a limit Discord enforces', flattenErrorTree(error.errors));
}

function explain(route: string, what: string, errors: readonly FieldError[]): string {
  return [`${route}: the body ${what}:`, ...formatFieldErrors(errors).map((line) => `  ${line}`)].join('\n');
}

/** The inverse of `discordErrorTree`. */
function flattenErrorTree(tree: unknown, path: string[] = []): FieldError[] {
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([key, value]) =>
    key === '_errors'
      ? (value as { code: string; message: string }[]).map((e) => ({ path: path.join('.'), code: e.code, message: e.message }))
      : flattenErrorTree(value, [...path, key]),
  );
}
