import type { Command, ComponentHandler } from '../interactions/command.js';
import { resultControls } from '../results/resultControls.js';
import channels from './channels.js';
import find from './find.js';
import findSimilarMenu from './findSimilarMenu.js';
import forgetMe from './forgetMe.js';
import help from './help.js';
import reindex from './reindex.js';
import reposts from './reposts.js';
import settings from './settings.js';
import similar from './similar.js';
import stats from './stats.js';

/** Every command the bot offers, by the name Discord sends back. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [find, similar, findSimilarMenu, help, stats, forgetMe, channels, reindex, settings, reposts].map((command) => [
    command.data.name,
    command,
  ]),
);

/** Every control on the bot's messages, by custom-id prefix. */
export const components: readonly ComponentHandler[] = [resultControls];
