import type { Messages } from './messages.js';

/** The access module names permissions as Discord's English client does; members read them in their language. */
const KEYS = {
  'View Channel': 'permission.viewChannel',
  'Read Message History': 'permission.readMessageHistory',
  'Manage Threads (or add me to the thread)': 'permission.manageThreadsOrMembership',
  'Add Reactions': 'permission.addReactions',
  'Send Messages': 'permission.sendMessages',
} as const;

export function permissionsText(names: readonly string[], messages: Messages): string {
  return messages.list(names.map((name) => (name in KEYS ? messages.text(KEYS[name as keyof typeof KEYS]) : name)));
}
