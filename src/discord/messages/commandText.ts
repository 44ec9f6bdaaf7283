import type { SharedNameAndDescription } from 'discord.js';
import type { MessageKey } from './catalogue.js';
import { en } from './en.js';
import { localizations } from './messages.js';

/** Keys `<prefix>.name` and `<prefix>.description` that name and describe a command, subcommand or option. */
export type CommandTextKey = {
  [K in MessageKey]: K extends `${infer Prefix}.description` ? (`${Prefix}.name` extends MessageKey ? Prefix : never) : never;
}[MessageKey];

/**
 * Names and describes a command, subcommand or option in English and every translation
 * (Discord shows each member the one of their client's language).
 */
export function described<T extends SharedNameAndDescription>(builder: T, key: CommandTextKey): T {
  const name: `${CommandTextKey}.name` = `${key}.name`;
  const description: `${CommandTextKey}.description` = `${key}.description`;
  return builder
    .setName(en[name])
    .setNameLocalizations(localizations(name))
    .setDescription(en[description])
    .setDescriptionLocalizations(localizations(description));
}
