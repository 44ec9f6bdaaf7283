import type { Interactions } from '../interactions.js';
import { Router } from '../router.js';
import type { World } from '../world.js';
import { registerAttachmentRoutes } from './attachments.js';
import { registerCommandRoutes } from './commands.js';
import { registerGuildRoutes } from './guilds.js';
import { registerInteractionRoutes } from './interactions.js';
import { registerMessageRoutes } from './messages.js';
import { registerMetaRoutes, type MetaSettings } from './meta.js';
import { registerReactionRoutes } from './reactions.js';
import { registerThreadRoutes } from './threads.js';

/** Every REST route of the fake, in one router (literal routes before parameter ones). */
export function buildRouter(
  world: World,
  interactions: Interactions,
  settings: MetaSettings & { interactionDeadlineMs: () => number },
): Router {
  const router = new Router();
  registerMetaRoutes(router, world, settings);
  registerCommandRoutes(router, world);
  registerInteractionRoutes(router, world, interactions, settings.interactionDeadlineMs);
  registerMessageRoutes(router, world);
  registerReactionRoutes(router, world);
  registerGuildRoutes(router, world);
  registerThreadRoutes(router, world);
  registerAttachmentRoutes(router, world);
  return router;
}
