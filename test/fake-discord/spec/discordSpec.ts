import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as schemas from 'discord-api-spec/preview/zod';
import * as z from 'zod/mini';
import { OperationIndex, readOperations, type SpecOperation } from './operations.js';

/**
 * Discord's published OpenAPI spec, from the npm package discord-api-spec: which operation a request is, and the zod
 * schema of its request body or response. Its preview edition is used: the stable one lacks media channels (type 16),
 * which Discord accepts (and /channels offers) today. Loaded once per process; each schema is built on first use.
 */

export type Schema = z.ZodMiniType;

/** A schema and the spec's name for it (`MessageCreateRequest`, `ApplicationCommandUpdateRequest[] | null`). */
export interface NamedSchema {
  name: string;
  schema: Schema;
}

export class DiscordSpec {
  private static loaded: DiscordSpec | undefined;
  private readonly index: OperationIndex;
  private readonly built = new Map<string, Schema | null>();

  private constructor(operations: SpecOperation[]) {
    this.index = new OperationIndex(operations);
  }

  static get(): DiscordSpec {
    DiscordSpec.loaded ??= new DiscordSpec(readOperations(readFileSync(typesFile(), 'utf8')));
    return DiscordSpec.loaded;
  }

  /** `path` is relative to `/api/v10`. Null for routes the spec does not list (e.g. `/attachments/refresh-urls`). */
  operation(method: string, path: string): SpecOperation | null {
    return this.index.find(method, path);
  }

  /** Null when the operation takes no body or the spec writes it inline (no named schema to check it with). */
  requestSchema(operation: SpecOperation): NamedSchema | null {
    return operation.requestBody === null ? null : this.named(operation.requestBody);
  }

  responseSchema(operation: SpecOperation, status: number): NamedSchema | null {
    const expression = operation.responses.get(String(status)) ?? operation.responses.get(`${String(status)[0]}XX`);
    return expression === undefined ? null : this.named(expression);
  }

  private named(expression: string): NamedSchema | null {
    if (!this.built.has(expression)) this.built.set(expression, schemaOf(expression));
    const schema = this.built.get(expression) ?? null;
    return schema ? { name: expression, schema } : null;
  }
}

/** The generated `Paths` interface lives in the .ts beside the zod module. */
function typesFile(): string {
  return fileURLToPath(import.meta.resolve('discord-api-spec/preview/zod')).replace(/\.zod\.js$/, '.ts');
}

/**
 * A type expression of the `Paths` interface as a schema: `Name`, `Name[]`, `(A | B)[]`, `null`, `string` and unions
 * of them. Inline object types and `unknown` give null (not checked).
 */
function schemaOf(expression: string): Schema | null {
  if (expression.includes('{') || expression === 'unknown') return null;
  const members = topLevelParts(expression).map((part): Schema => {
    if (part.endsWith('[]')) {
      const item = part.slice(0, -2);
      const inner = item.startsWith('(') && item.endsWith(')') ? schemaOf(item.slice(1, -1)) : schemaOf(item);
      if (!inner) throw new Error(`discord-api-spec: cannot check the spec type \`${expression}\``);
      return z.array(inner);
    }
    if (part === 'null') return z.null();
    if (part === 'string') return z.string();
    const named = schemas[`${part}Schema`];
    if (!named) throw new Error(`discord-api-spec: no schema \`${part}Schema\` for the spec type \`${expression}\``);
    return named;
  });
  const [only] = members;
  return members.length === 1 && only ? only : z.union(members);
}

/** `A | (B | C)[] | null` → `A`, `(B | C)[]`, `null` (a group may start with `|`). */
function topLevelParts(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of expression) {
    if (char === '|' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}
