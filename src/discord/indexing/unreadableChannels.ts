import type { GuildBasedChannel } from 'discord.js';
import { logger } from '../../logger.js';
import type { ChannelValues } from '../guildState/storedValues.js';

/**
 * Indexed channels the bot cannot read. Each is reported once, naming the permission to
 * give, and again only when that changes or access returns, not on every start: what was
 * reported is kept in the store. (`/channels list` shows the same to admins.)
 */
export class UnreadableChannels {
  constructor(private readonly reports: ChannelValues<string>) {}

  async cannotRead(channel: GuildBasedChannel, missing: readonly string[]): Promise<void> {
    const said = await this.reports.get(channel.guildId, channel.id);
    const now = missing.join(' and ');
    if (said === now) return;
    await this.reports.set(channel.guildId, channel.id, now);
    logger.warn(
      { guildId: channel.guildId, channelId: channel.id, missing },
      `cannot read indexed channel #${channel.name}: give my role ${now} there. Until then its images are left out of results and what is posted there is not indexed (said once; /channels list shows it too)`,
    );
  }

  async canRead(channel: GuildBasedChannel): Promise<void> {
    if ((await this.reports.get(channel.guildId, channel.id)) === undefined) return;
    await this.reports.delete(channel.guildId, channel.id);
    logger.info({ guildId: channel.guildId, channelId: channel.id }, `can read indexed channel #${channel.name} again; catching up`);
  }
}
