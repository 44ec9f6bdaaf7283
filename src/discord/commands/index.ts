import type { ButtonHandler, Command } from '../interactions/command.js';
import { pageButtonHandler } from '../results/searchReply.js';
import channels from './channels.js';
import find from './find.js';
import findSimilarMenu from './findSimilarMenu.js';
import reindex from './reindex.js';
import similar from './similar.js';
import stats from './stats.js';

/** Every command the bot offers, by the name Discord sends back. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [find, similar, findSimilarMenu, channels, reindex, stats].map((command) => [command.data.name, command]),
);

export const buttons: readonly ButtonHandler[] = [pageButtonHandler];
