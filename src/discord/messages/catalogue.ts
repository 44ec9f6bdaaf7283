import type { en } from './en.js';

/**
 * The shape of the message catalogues. English (`en.ts`) is the source of truth: its keys are
 * the keys, and its texts say which `{placeholders}` each message takes. A text is a string,
 * or for a count a set of plural forms chosen by Intl.PluralRules with the `count` parameter.
 */

export type MessageKey = keyof typeof en;

export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export type MessageText = string | PluralForms;

/** Another language: any key may be missing (English is shown); a test checks that none is. */
export type Translation = { readonly [K in MessageKey]?: MessageText };

type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type TextsOf<E> = E extends string ? E : E extends PluralForms ? E[keyof E] : never;

/** The parameters a message takes, from its English text (`{query}` → `{ query: string | number }`); plural forms take `count`. */
export type ParamsOf<K extends MessageKey> = {
  [P in Placeholders<TextsOf<(typeof en)[K]>> | ((typeof en)[K] extends PluralForms ? 'count' : never)]: string | number;
};

/** The arguments after the key: none for a message without placeholders. */
export type ParamArgs<K extends MessageKey> = keyof ParamsOf<K> extends never ? [] : [ParamsOf<K>];

/** A message that takes no parameters. */
export type PlainKey = { [K in MessageKey]: ParamArgs<K> extends [] ? K : never }[MessageKey];

/**
 * Plural forms for French, Spanish and Portuguese, whose `many` form (large round numbers:
 * « 1 million d’images », "1 millón de imágenes") is worded like `other`.
 */
export function oneOrOther(one: string, other: string): PluralForms {
  return { one, many: other, other };
}
