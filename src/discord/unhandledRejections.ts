import process from 'node:process';
import { logger } from '../logger.js';

/**
 * What the bot process does with a promise rejection nobody handled: it logs it and keeps
 * running (Node's default would end the process).
 *
 * Why survive rather than exit to be restarted: every path from Discord (interactions,
 * events, catch-up, reindex walks) handles its own failures, so a rejection that still
 * escapes is a slip in handling one request, not damaged state: each store write commits
 * on its own and memory changes only after the store. Exiting would drop the ingest queue
 * and everyone's open result pages, and under a fault that repeats (Discord answering 500)
 * the restarted bot would meet it again at once: a crash loop. A synchronous uncaught
 * exception still ends the process, as by default: there, state may be half-changed.
 */
export function surviveUnhandledRejections(): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection: logged, and the bot keeps running (please report it)');
  });
}
