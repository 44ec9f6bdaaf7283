/** Characters that make Discord markdown (emphasis, code, spoilers, quotes, masked links) or a mention. */
const MARKUP = /[\\*_~`|<>[\]()@]/g;

/**
 * Text someone else chose (a file, channel or thread name, a query), made to read as written
 * inside a message: no emphasis, code, spoiler, masked link, mention or line break of its own,
 * and no bare link (`https://…` is shown, not linked). Messages fill it in where their text
 * says `{file}`, `{name}` or `{query}`; what the bot itself writes (`<#id>`, `[Jump](…)`) is not
 * passed through it.
 */
export function plainText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(MARKUP, (character) => `\\${character}`)
    .replace(/:\/\//g, ':\\/\\/');
}
