import { SnowflakeUtil } from 'discord.js';
import type { ReindexState } from './reindexState.js';

const STATUS = {
  running: 'Reindexing',
  stopped: 'Stopped reindexing',
  done: 'Finished reindexing',
  failed: 'Reindexing failed for',
} as const;

/** The live progress line of a reindex: counts, rate and an ETA from how far back in time the walk is. */
export function reindexProgressText(state: ReindexState, channelName: string): string {
  const rate = state.activeSeconds > 0 ? state.scanned / state.activeSeconds : 0;
  const channels = state.walked + state.queue.length;
  const parts = [
    `${STATUS[state.status]} #${channelName}` +
      (channels > 1 && state.status === 'running' ? ` (channel ${Math.min(state.walked + 1, channels)} of ${channels})` : ''),
    `scanned ${state.scanned.toLocaleString('en-US')} messages`,
    `indexed ${state.indexed.toLocaleString('en-US')}`,
    `skipped ${state.skipped.toLocaleString('en-US')}`,
    `failed ${state.failed.toLocaleString('en-US')}`,
  ];
  if (state.status === 'running') {
    parts.push(`${rate.toFixed(1)} messages/s`);
    const eta = channels === 1 ? estimateSeconds(state) : undefined;
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  }
  const line = parts.join(' · ');
  return state.error === undefined ? line : `${line}\n${state.error}`;
}

/**
 * Discord does not say how many messages a channel holds, but message ids carry their
 * time: the share of time between now and the channel's creation already walked,
 * divided by the time spent, gives a fair estimate (for a walk of one channel).
 */
function estimateSeconds(state: ReindexState): number | undefined {
  const channelId = state.queue[0];
  if (channelId === undefined || state.before === undefined || state.newestAt === undefined || state.activeSeconds < 1) return undefined;
  const createdAt = SnowflakeUtil.timestampFrom(channelId);
  const total = state.newestAt - createdAt;
  const walked = state.newestAt - SnowflakeUtil.timestampFrom(state.before);
  if (total <= 0 || walked <= 0) return undefined;
  return (state.activeSeconds * (total - walked)) / walked;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h ${Math.round((seconds % 3600) / 60)}m`;
}
