import { unknownUser } from '../errors.js';
import { ok, type Router } from '../router.js';
import type { World } from '../world.js';

/** Gateway discovery, the bot's own user and application. */

/** Privileged intents granted: message content (limited), guild members (limited), presence (limited). */
const APPLICATION_FLAGS = (1 << 19) | (1 << 15) | (1 << 13);

export interface MetaSettings {
  gatewayUrl: () => string;
  shards: () => number;
  ownerId: () => string;
}

export function registerMetaRoutes(router: Router, world: World, settings: MetaSettings): void {
  const { state, payloads } = world;

  router.add('GET', '/gateway/bot', () =>
    ok({
      url: settings.gatewayUrl(),
      shards: settings.shards(),
      // A high max_concurrency lets shards identify together instead of 5 s apart.
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 16 },
    }),
  );

  router.add('GET', '/gateway', () => ok({ url: settings.gatewayUrl() }), { auth: false });

  router.add('GET', '/users/@me', () =>
    ok({ ...payloads.user(state.user(world.botId)), verified: true, mfa_enabled: false, flags: 0, email: null, locale: 'en-US' }),
  );

  router.add('GET', '/users/:userId', (req) => {
    const user = state.users.get(req.params['userId'] ?? '');
    if (!user) throw unknownUser();
    return ok(payloads.user(user));
  });

  const application = () => ({
    id: world.applicationId,
    name: state.user(world.botId).username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: APPLICATION_FLAGS,
    flags_new: String(APPLICATION_FLAGS),
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    explicit_content_filter: 0,
    eligible_oauth2_scopes: ['bot', 'applications.commands'],
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    team: null,
    owner: payloads.user(state.user(settings.ownerId())),
    bot: payloads.user(state.user(world.botId)),
    approximate_guild_count: [...state.guilds.values()].filter((g) => state.member(g.id, world.botId)).length,
    install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
    integration_types_config: { '0': {} },
  });
  router.add('GET', '/applications/@me', () => ok(application()));
  router.add('GET', '/oauth2/applications/@me', () => ok(application()));
}
