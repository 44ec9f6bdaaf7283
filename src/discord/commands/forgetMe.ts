import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { SlashCommand } from '../interactions/command.js';
import { described } from '../messages/commandText.js';
import { messagesFor } from '../messages/messages.js';

/**
 * `/forget-me`: removes every indexed image the member posted in this server and stops
 * indexing their uploads (live, catch-up and reindex all skip them). `undo:True` lets their
 * new uploads be indexed again; what was removed comes back only through /reindex.
 */
export default {
  kind: 'slash',
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.forgetMe')
    .setContexts(InteractionContextType.Guild)
    .addBooleanOption((option) => described(option, 'commands.forgetMe.undo'))
    .toJSON(),

  async execute(interaction, context) {
    const { guildId, member } = interaction;
    const messages = messagesFor(interaction.locale);
    const { settings } = context.guildState;
    if (interaction.options.getBoolean('undo') === true) {
      const changed = await settings.setOptedOut(guildId, member.id, false);
      await interaction.editReply(messages.text(changed ? 'forgetMe.undone' : 'forgetMe.notOptedOut'));
      return;
    }
    // First stop indexing them, so nothing of theirs is added while their images are removed.
    await settings.setOptedOut(guildId, member.id, true);
    const removed = await context.forgetting.memberOptedOut(guildId, member.id);
    // The count says nothing of channels the member cannot read now.
    const readable = await context.access.readableChannels(member, removed.keys(), { nsfwAllowed: isNsfwChannel(interaction.channel) });
    const count = [...readable].reduce((sum, channelId) => sum + (removed.get(channelId) ?? 0), 0);
    await interaction.editReply(messages.text('forgetMe.done', { count }));
  },
} satisfies SlashCommand;
