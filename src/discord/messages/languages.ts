import { Locale } from 'discord.js';
import type { Translation } from './catalogue.js';
import { de } from './de.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';
import { ptBR } from './pt-BR.js';

/** The languages the bot speaks besides English, with the Discord locales that choose each. */
export const TRANSLATIONS = [
  { language: 'de', discordLocales: [Locale.German], catalogue: de },
  { language: 'fr', discordLocales: [Locale.French], catalogue: fr },
  { language: 'es', discordLocales: [Locale.SpanishES, Locale.SpanishLATAM], catalogue: es },
  { language: 'pt-BR', discordLocales: [Locale.PortugueseBR], catalogue: ptBR },
  { language: 'ja', discordLocales: [Locale.Japanese], catalogue: ja },
] as const satisfies ReadonlyArray<{ language: string; discordLocales: readonly Locale[]; catalogue: Translation }>;

export type Language = 'en' | (typeof TRANSLATIONS)[number]['language'];

/** The language for a Discord locale (`de`, `pt-BR`, `es-419`…): English for any other. */
export function languageOf(locale: string | null | undefined): Language {
  const match = TRANSLATIONS.find((translation) => (translation.discordLocales as readonly string[]).includes(locale ?? ''));
  return match?.language ?? 'en';
}

export function translationOf(language: Language): Translation | undefined {
  return TRANSLATIONS.find((translation) => translation.language === language)?.catalogue;
}
