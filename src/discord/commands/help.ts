import {
  ContainerBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  SeparatorBuilder,
  SlashCommandBuilder,
  TextDisplayBuilder,
} from 'discord.js';
import { componentsMessage } from '../componentsMessage.js';
import type { SlashCommand } from '../interactions/command.js';
import { described } from '../messages/commandText.js';
import { messagesFor, type PlainKey } from '../messages/messages.js';

const COMMANDS: readonly PlainKey[] = [
  'help.find',
  'help.words',
  'help.similar',
  'help.menu',
  'help.results',
  'help.stats',
  'help.forgetMe',
];
const SETUP: readonly PlainKey[] = [
  'help.setup.permissions',
  'help.setup.channels',
  'help.setup.reindex',
  'help.setup.check',
  'help.setup.settings',
];
const OPTIONAL: readonly PlainKey[] = ['help.optional.wordsInImages', 'help.optional.reposts'];

/** `/help`: what each command does, with examples; for members who manage the server, the setup steps too. */
export default {
  kind: 'slash',
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.help').setContexts(InteractionContextType.Guild).toJSON(),

  async execute(interaction) {
    const messages = messagesFor(interaction.locale);
    const container = new ContainerBuilder().addTextDisplayComponents(
      new TextDisplayBuilder().setContent(`## ${messages.text('help.title')}\n${messages.text('help.intro')}`),
      new TextDisplayBuilder().setContent(COMMANDS.map((key) => `• ${messages.text(key)}`).join('\n')),
    );
    if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) {
      container
        .addSeparatorComponents(new SeparatorBuilder())
        .addTextDisplayComponents(
          new TextDisplayBuilder().setContent(
            [`### ${messages.text('help.setup.title')}`, ...SETUP.map((key, i) => `${i + 1}. ${messages.text(key)}`)].join('\n'),
          ),
          new TextDisplayBuilder().setContent(
            [`### ${messages.text('help.optional.title')}`, ...OPTIONAL.map((key) => `• ${messages.text(key)}`)].join('\n'),
          ),
        );
    }
    await interaction.editReply(componentsMessage([container]));
  },
} satisfies SlashCommand;
