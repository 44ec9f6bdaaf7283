import {
  GatewayDispatchEvents,
  type Client,
  type GatewayMessageDeleteBulkDispatchData,
  type GatewayMessageDeleteDispatchData,
  type GatewayThreadDeleteDispatchData,
} from 'discord.js';

/** Something deleted in a server, as the gateway said it. */
export type GatewayDeletion =
  { kind: 'messages'; guildId: string; channelId: string; messageIds: string[] } | { kind: 'thread'; guildId: string; threadId: string };

/**
 * Calls `onDeletion` for every message, bulk and thread deletion in a server, straight from the
 * gateway. discord.js's own events are not enough: its actions look the channel up first and
 * drop the event when it is not cached, as an archived thread is not after a restart (checked
 * in discord.js 14.28: MessageDelete, MessageDeleteBulk and ThreadDelete). A deleted guild
 * channel is always cached, so channelDelete still comes through discord.js.
 */
export function onGatewayDeletions(client: Client, onDeletion: (deletion: GatewayDeletion) => void): void {
  client.ws.on(GatewayDispatchEvents.MessageDelete, (data: GatewayMessageDeleteDispatchData) => {
    if (data.guild_id !== undefined)
      onDeletion({ kind: 'messages', guildId: data.guild_id, channelId: data.channel_id, messageIds: [data.id] });
  });
  client.ws.on(GatewayDispatchEvents.MessageDeleteBulk, (data: GatewayMessageDeleteBulkDispatchData) => {
    if (data.guild_id !== undefined)
      onDeletion({ kind: 'messages', guildId: data.guild_id, channelId: data.channel_id, messageIds: data.ids });
  });
  client.ws.on(GatewayDispatchEvents.ThreadDelete, (data: GatewayThreadDeleteDispatchData) => {
    if (data.guild_id !== undefined) onDeletion({ kind: 'thread', guildId: data.guild_id, threadId: data.id });
  });
}
