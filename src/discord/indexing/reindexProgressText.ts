import { SnowflakeUtil } from 'discord.js';
import type { Messages } from '../messages/messages.js';
import { plainText } from '../messages/plainText.js';
import type { ReindexState } from './reindexState.js';

const FAILURES = ['reindex.failedAccess', 'reindex.failedDiscord'] as const;

/** The live progress line of a reindex: counts, rate and an ETA from how far back in time the walk is. */
export function reindexProgressText(state: ReindexState, channelName: string, messages: Messages): string {
  const rate = state.activeSeconds > 0 ? state.scanned / state.activeSeconds : 0;
  const channels = state.walked + state.queue.length;
  const channel = `#${plainText(channelName)}`;
  const heading = messages.text(`reindex.status.${state.status}`, { channel });
  const parts = [
    channels > 1 && state.status === 'running'
      ? `${heading} ${messages.text('reindex.channelOf', { current: Math.min(state.walked + 1, channels), total: channels })}`
      : heading,
    messages.text('reindex.counts', { scanned: state.scanned, indexed: state.indexed, skipped: state.skipped, failed: state.failed }),
  ];
  if (state.status === 'running') {
    parts.push(messages.text('reindex.rate', { rate: messages.number(rate, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }));
    const eta = channels === 1 ? estimateSeconds(state) : undefined;
    if (eta !== undefined) parts.push(messages.text('reindex.eta', { duration: formatDuration(eta, messages) }));
  }
  const line = parts.join(' · ');
  if (state.error === undefined) return line;
  const known = FAILURES.find((key) => key === state.error);
  return `${line}\n${known === undefined ? state.error : messages.text(known)}`;
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

/** "45s", "12m", "2h 5m", with the units of the reader's language (Intl's narrow units). */
function formatDuration(seconds: number, messages: Messages): string {
  const unit = (value: number, name: 'second' | 'minute' | 'hour') =>
    messages.number(value, { style: 'unit', unit: name, unitDisplay: 'narrow' });
  if (seconds < 60) return unit(Math.ceil(seconds), 'second');
  if (seconds < 3600) return unit(Math.round(seconds / 60), 'minute');
  return `${unit(Math.floor(seconds / 3600), 'hour')} ${unit(Math.round((seconds % 3600) / 60), 'minute')}`;
}
