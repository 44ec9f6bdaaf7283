import { MessageFlags } from 'discord.js';

/**
 * A message laid out in Components V2 (containers, galleries, text displays, controls) that
 * notifies nobody: the names and mentions it shows stay plain text.
 */
export function componentsMessage<Component>(components: Component[]) {
  return { components, flags: MessageFlags.IsComponentsV2 as const, allowedMentions: { parse: [] } };
}
