/** discord-api-spec's zod module ships without type declarations; its exports are `<TypeName>Schema` zod-mini schemas. */
declare module 'discord-api-spec/preview/zod' {
  import type { ZodMiniType } from 'zod/mini';

  const schemasByName: { readonly [name: string]: ZodMiniType | undefined };
  export = schemasByName;
}
