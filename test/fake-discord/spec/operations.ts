/**
 * Discord's REST operations as its OpenAPI spec lists them: path template and method → the type names of the request
 * body and of each response. discord-api-spec ships this table only as the TypeScript `Paths` interface (its zod module
 * has the schemas but no routes), so it is read from that generated source text.
 */

export interface SpecOperation {
  method: string;
  /** The spec's path template, e.g. `/channels/{channel_id}/messages`. */
  path: string;
  /** The request body's TypeScript type expression (e.g. `MessageCreateRequest`), null when the operation takes none. */
  requestBody: string | null;
  /** Status ("200", "201", "204", "4XX") → the response body's type expression. */
  responses: ReadonlyMap<string, string>;
}

const PATH_LINE = /^ {2}"(\/[^"]*)": \{$/;
const METHOD_LINE = /^ {4}(get|put|post|patch|delete): \{$/;
const REQUEST_LINE = /^ {6}requestBody\?: ?(.*)$/;
const RESPONSE_LINE = /^ {8}"(\d{3}|\dXX)": ?(.*)$/;

/** Reads every operation of the generated `export interface Paths { ... }` block. */
export function readOperations(source: string): SpecOperation[] {
  const start = source.indexOf('export interface Paths {');
  if (start < 0) throw new Error('discord-api-spec: no `export interface Paths` in the generated types');
  const lines = source.slice(start).split('\n');
  const operations: SpecOperation[] = [];
  let path: string | null = null;
  let current: { method: string; path: string; requestBody: string | null; responses: Map<string, string> } | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '}') break;
    const pathMatch = PATH_LINE.exec(line);
    if (pathMatch) {
      path = pathMatch[1] ?? null;
      current = null;
      continue;
    }
    const methodMatch = METHOD_LINE.exec(line);
    if (methodMatch && path) {
      current = { method: (methodMatch[1] ?? '').toUpperCase(), path, requestBody: null, responses: new Map() };
      operations.push(current);
      continue;
    }
    if (!current) continue;
    const request = REQUEST_LINE.exec(line);
    const response = request ? null : RESPONSE_LINE.exec(line);
    if (request) {
      const { text, next } = typeExpression(request[1] ?? '', lines, i);
      current.requestBody = text === 'undefined' ? null : text;
      i = next;
    } else if (response) {
      const { text, next } = typeExpression(response[2] ?? '', lines, i);
      current.responses.set(response[1] ?? '', text);
      i = next;
    }
  }
  if (operations.length === 0) throw new Error('discord-api-spec: the `Paths` interface lists no operation');
  return operations;
}

/** A type expression may continue over several lines (`| A` unions, inline `{ ... }` objects) up to its `;`. */
function typeExpression(first: string, lines: string[], at: number): { text: string; next: number } {
  let text = first.trim();
  let depth = braceDepth(text);
  let i = at;
  while (depth > 0 || !text.endsWith(';')) {
    i++;
    const line = lines[i];
    if (line === undefined) break;
    text += ` ${line.trim()}`;
    depth += braceDepth(line);
  }
  return { text: text.replace(/;$/, '').replace(/\s+/g, ' ').trim().replace(/^\| /, ''), next: i };
}

function braceDepth(text: string): number {
  let depth = 0;
  for (const char of text) depth += char === '{' ? 1 : char === '}' ? -1 : 0;
  return depth;
}

/** Finds the operation a concrete request path belongs to; literal segments win over parameters (`@original`, `@me`). */
export class OperationIndex {
  private readonly byMethod = new Map<string, { operation: SpecOperation; regex: RegExp; literals: number }[]>();

  constructor(operations: readonly SpecOperation[]) {
    for (const operation of operations) {
      const segments = operation.path.split('/');
      const regex = new RegExp(
        `^${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`,
      );
      const literals = segments.filter((s) => !s.startsWith('{')).length;
      const list = this.byMethod.get(operation.method) ?? [];
      list.push({ operation, regex, literals });
      this.byMethod.set(operation.method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => b.literals - a.literals);
  }

  /** `path` is relative to `/api/v10`, e.g. `/channels/1/messages`. */
  find(method: string, path: string): SpecOperation | null {
    for (const entry of this.byMethod.get(method.toUpperCase()) ?? []) {
      if (entry.regex.test(path)) return entry.operation;
    }
    return null;
  }
}
