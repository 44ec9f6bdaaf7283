/**
 * Zod issues turned into what Discord answers for an invalid body: one `{ code, message }` per field, at its path
 * (`embeds.0.title`), in Discord's own words and codes. Zod reports a failed union as every branch's issues; Discord,
 * whose components and callbacks are told apart by `type`, reports the branch that `type` chose.
 */

export interface FieldError {
  /** Dot path into the body, e.g. `data.components.0.items`; empty for the body itself. */
  path: string;
  code: string;
  message: string;
}

/** The subset of zod 4's issue shape this reads (zod/mini issues carry no useful message of their own). */
export interface SpecIssue {
  code: string;
  path: PropertyKey[];
  input?: unknown;
  expected?: string;
  origin?: string;
  maximum?: number | bigint;
  minimum?: number | bigint;
  format?: string;
  values?: unknown[];
  keys?: string[];
  errors?: SpecIssue[][];
}

export function fieldErrors(issues: readonly SpecIssue[], base: PropertyKey[] = []): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors) return unionErrors(issue.errors, path);
    if (coercedByDiscord(issue)) return [];
    return [{ path: path.map(String).join('.'), ...describe(issue) }];
  });
}

/**
 * Discord reads a string of digits where the spec says number (discord.js sends permission bit sets so);
 * zod does not. Needs issues parsed with `reportInput`.
 */
function coercedByDiscord(issue: SpecIssue): boolean {
  return issue.code === 'invalid_type' && issue.expected === 'number' && typeof issue.input === 'string' && /^-?\d+$/.test(issue.input);
}

function unionErrors(branches: SpecIssue[][], path: PropertyKey[]): FieldError[] {
  const explained = branches.map((issues) => ({ issues, errors: fieldErrors(issues, path) }));
  if (explained.some((branch) => branch.errors.length === 0)) return [];
  const typeMismatch = (issue: SpecIssue) => issue.code === 'invalid_value' && issue.path.length === 1 && issue.path[0] === 'type';
  // A branch of another kind (a null where an array came, a button where `type` says container) is not the one meant.
  const otherKind = (issue: SpecIssue) => typeMismatch(issue) || (issue.code === 'invalid_type' && issue.path.length === 0);
  const candidates = explained.filter((branch) => !branch.issues.some(otherKind));
  if (candidates.length === 0) {
    const allowed = branches.flatMap((issues) => issues.find(typeMismatch)?.values ?? []);
    if (allowed.length > 0) {
      return [
        {
          path: [...path, 'type'].map(String).join('.'),
          code: 'UNION_TYPE_CHOICES',
          message: `Value of field "type" must be one of (${allowed.join(', ')}).`,
        },
      ];
    }
  }
  const pool = candidates.length > 0 ? candidates : explained;
  return pool.reduce((best, branch) => (branch.errors.length < best.errors.length ? branch : best)).errors;
}

function describe(issue: SpecIssue): { code: string; message: string } {
  const number = issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }
        : { code: 'BASE_TYPE_INVALID', message: `Must be of type ${issue.expected ?? 'another type'}.` };
    case 'too_big':
      return number
        ? { code: 'NUMBER_TYPE_MAX', message: `Must be less than or equal to ${issue.maximum}.` }
        : { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${issue.maximum} or fewer in length.` };
    case 'too_small':
      return number
        ? { code: 'NUMBER_TYPE_MIN', message: `Must be greater than or equal to ${issue.minimum}.` }
        : { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${issue.minimum} or more in length.` };
    case 'invalid_value':
      return {
        code: 'BASE_TYPE_CHOICES',
        message: `Value must be one of (${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}).`,
      };
    case 'invalid_format':
      return issue.format === 'url'
        ? { code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }
        : { code: 'BASE_TYPE_INVALID', message: `Not a valid ${issue.format ?? 'value'}.` };
    case 'unrecognized_keys':
      return { code: 'BASE_TYPE_INVALID', message: `Unknown fields: ${(issue.keys ?? []).join(', ')}.` };
    default:
      return { code: 'BASE_TYPE_INVALID', message: `Invalid value (${issue.code}).` };
  }
}

/** Discord's nested error tree: `{ embeds: { 0: { title: { _errors: [{ code, message }] } } } }`. */
export function discordErrorTree(errors: readonly FieldError[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const error of errors) {
    let node = tree;
    for (const key of error.path === '' ? [] : error.path.split('.')) node = (node[key] ??= {}) as Record<string, unknown>;
    const list = (node['_errors'] ??= []) as { code: string; message: string }[];
    list.push({ code: error.code, message: error.message });
  }
  return tree;
}

/** One line per field for a test author: `embeds.0.title: Must be 256 or fewer in length. (BASE_TYPE_MAX_LENGTH)`. */
export function formatFieldErrors(errors: readonly FieldError[]): string[] {
  return errors.map((e) => `${e.path || '(body)'}: ${e.message} (${e.code})`);
}
