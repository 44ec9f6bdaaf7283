import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { PREFERENCE_NAMES, PREFERENCES, type PreferenceName, type Preferences } from '../guildState/preferences.js';
import type { SlashCommand } from '../interactions/command.js';
import { described } from '../messages/commandText.js';
import { en } from '../messages/en.js';
import { messagesFor, type Messages } from '../messages/messages.js';
import { requireManageGuild } from './channels.js';

/** `/settings`: shows what this server chose; with options, changes those. Its options come from the preferences table. */
function definition() {
  const builder = described(new SlashCommandBuilder(), 'commands.settings')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  for (const name of PREFERENCE_NAMES) {
    const spec = PREFERENCES[name];
    const key = `settings.${name}` as const;
    if (spec.kind === 'switch') builder.addBooleanOption((option) => described(option, key));
    else builder.addIntegerOption((option) => described(option, key).setMinValue(spec.min).setMaxValue(spec.max));
  }
  return builder.toJSON();
}

export default {
  kind: 'slash',
  ephemeral: true,
  data: definition(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const messages = messagesFor(interaction.locale);
    const changes = chosen(interaction);
    const { settings } = context.guildState;
    const now =
      Object.keys(changes).length === 0
        ? await settings.preferences(interaction.guildId)
        : await settings.setPreferences(interaction.guildId, changes);
    const header = messages.text(Object.keys(changes).length === 0 ? 'settings.current' : 'settings.changed');
    const notes = [
      // Switching it on reads what is posted from now on; what was posted before waits for /reindex.
      ...(changes.wordsInImages === true ? [messages.text('settings.wordsInImages.readOld')] : []),
      ...(context.config.ocr ? [messages.text('settings.wordsInImages.onEverywhere')] : []),
    ];
    await interaction.editReply([header, ...PREFERENCE_NAMES.map((name) => `• ${summary(name, now, messages)}`), ...notes].join('\n'));
  },
} satisfies SlashCommand;

/** The option of a preference, as Discord sends it back (its English name). */
function optionName(name: PreferenceName): string {
  return en[`settings.${name}.name`];
}

function chosen(interaction: ChatInputCommandInteraction<'cached'>): Partial<Preferences> {
  const changes: Partial<Record<PreferenceName, number | boolean>> = {};
  for (const name of PREFERENCE_NAMES) {
    const value =
      PREFERENCES[name].kind === 'switch'
        ? interaction.options.getBoolean(optionName(name))
        : interaction.options.getInteger(optionName(name));
    if (value !== null) changes[name] = value;
  }
  return changes as Partial<Preferences>;
}

function summary(name: PreferenceName, preferences: Preferences, messages: Messages): string {
  const value = preferences[name];
  const shown = typeof value === 'boolean' ? messages.text(value ? 'settings.on' : 'settings.off') : messages.number(value);
  return `${messages.text(`settings.${name}.label`)}: **${shown}** (\`${optionName(name)}\`)`;
}
