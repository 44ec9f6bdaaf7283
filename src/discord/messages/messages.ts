import type { LocalizationMap } from 'discord.js';
import type { MessageKey, MessageText, ParamArgs } from './catalogue.js';
import { en } from './en.js';
import { languageOf, translationOf, TRANSLATIONS, type Language } from './languages.js';

export type { MessageKey, ParamArgs, PlainKey } from './catalogue.js';

/**
 * Every user-facing text of the bot, in one language: replies follow the member's locale
 * (`interaction.locale`), public posts the server's (`guild.preferredLocale`). A message
 * missing from a translation is shown in English. Numbers and plurals go through Intl.
 */
export class Messages {
  private readonly numbers: Intl.NumberFormat;
  private readonly plurals: Intl.PluralRules;

  constructor(readonly language: Language) {
    this.numbers = new Intl.NumberFormat(intlLocale(language));
    this.plurals = new Intl.PluralRules(intlLocale(language));
  }

  text<K extends MessageKey>(key: K, ...args: ParamArgs<K>): string {
    const params: Readonly<Record<string, string | number>> = args[0] ?? {};
    const text: MessageText = translationOf(this.language)?.[key] ?? en[key];
    const template = typeof text === 'string' ? text : pluralForm(text, this.plurals.select(Number(params['count'] ?? 0)));
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? this.numbers.format(value) : value;
    });
  }

  number(value: number, options?: Intl.NumberFormatOptions): string {
    return options === undefined ? this.numbers.format(value) : new Intl.NumberFormat(intlLocale(this.language), options).format(value);
  }

  /** A list read as a sentence: "a, b and c". */
  list(items: readonly string[]): string {
    return new Intl.ListFormat(intlLocale(this.language), { type: 'conjunction' }).format(items);
  }
}

const byLanguage = new Map<Language, Messages>();

/** The messages for a Discord locale (a member's or a server's). */
export function messagesFor(locale: string | null | undefined): Messages {
  const language = languageOf(locale);
  let messages = byLanguage.get(language);
  if (messages === undefined) byLanguage.set(language, (messages = new Messages(language)));
  return messages;
}

/** English: the language of logs, and of whatever has no locale. */
export const english = messagesFor('en-US');

/** A message in every translated language, for a command's `name_localizations` or `description_localizations`. */
export function localizations(key: MessageKey): LocalizationMap {
  const map: LocalizationMap = {};
  for (const { discordLocales, catalogue } of TRANSLATIONS) {
    const text = catalogue[key];
    if (typeof text === 'string') for (const locale of discordLocales) map[locale] = text;
  }
  return map;
}

function pluralForm(forms: Exclude<MessageText, string>, category: Intl.LDMLPluralRule): string {
  return forms[category] ?? forms.other;
}

function intlLocale(language: Language): string {
  return language === 'en' ? 'en-US' : language;
}
