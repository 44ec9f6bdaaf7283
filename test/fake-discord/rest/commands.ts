import { ApplicationCommandType, type APIApplicationCommand } from 'discord.js';
import { ApiError, invalidFormBody, unknownGuild } from '../errors.js';
import { noContent, ok, type RestRequest, type Router } from '../router.js';
import type { World } from '../world.js';

/** Application commands, global and per guild: list, bulk overwrite, create, edit, delete. */

export function registerCommandRoutes(router: Router, world: World): void {
  const { state } = world;
  const scopeOf = (req: RestRequest): { guildId: string | null; commands: Map<string, APIApplicationCommand> } => {
    if (req.params['applicationId'] !== world.applicationId)
      throw invalidFormBody({ application_id: { _errors: [{ code: 'UNKNOWN', message: 'Not this application' }] } });
    const guildId = req.params['guildId'] ?? null;
    if (guildId === null) return { guildId, commands: state.globalCommands };
    if (!state.guilds.has(guildId)) throw unknownGuild();
    let commands = state.guildCommands.get(guildId);
    if (!commands) state.guildCommands.set(guildId, (commands = new Map<string, APIApplicationCommand>()));
    return { guildId, commands };
  };
  const build = (body: unknown, guildId: string | null, existing: Map<string, APIApplicationCommand>, at: string) => {
    const raw = (body ?? {}) as Record<string, unknown>;
    const type = commandTypeOf(raw, at);
    validate(raw, type, at);
    const same = [...existing.values()].find((c) => c.name === raw['name'] && c.type === type);
    return {
      id: same?.id ?? state.ids.next(),
      application_id: world.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      name: raw['name'],
      name_localizations: raw['name_localizations'] ?? null,
      description: raw['description'] ?? '',
      description_localizations: raw['description_localizations'] ?? null,
      type,
      options: raw['options'] ?? [],
      default_member_permissions: raw['default_member_permissions'] ?? null,
      dm_permission: raw['dm_permission'] ?? true,
      contexts: raw['contexts'] ?? null,
      integration_types: raw['integration_types'] ?? [0],
      nsfw: raw['nsfw'] ?? false,
      version: state.ids.next(),
    } as unknown as APIApplicationCommand;
  };

  for (const base of ['/applications/:applicationId/commands', '/applications/:applicationId/guilds/:guildId/commands']) {
    router.add('GET', base, (req) => ok([...scopeOf(req).commands.values()]));
    router.add('PUT', base, (req) => {
      const { guildId, commands } = scopeOf(req);
      const list = Array.isArray(req.body) ? req.body : [];
      const built = list.map((c, i) => build(c, guildId, commands, String(i)));
      const names = new Set(built.map((c) => `${c.type}:${c.name}`));
      if (names.size !== built.length)
        throw invalidFormBody({
          _errors: [{ code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' }],
        });
      commands.clear();
      for (const command of built) commands.set(command.id, command);
      return ok(built);
    });
    router.add('POST', base, (req) => {
      const { guildId, commands } = scopeOf(req);
      const command = build(req.body, guildId, commands, '');
      const isNew = !commands.has(command.id);
      commands.set(command.id, command);
      return { status: isNew ? 201 : 200, body: command };
    });
    router.add('GET', `${base}/:commandId`, (req) => ok(commandOf(scopeOf(req).commands, req)));
    router.add('PATCH', `${base}/:commandId`, (req) => {
      const { guildId, commands } = scopeOf(req);
      const current = commandOf(commands, req);
      const merged = build({ ...current, ...(req.body as object) }, guildId, new Map(), '');
      const command = { ...merged, id: current.id };
      commands.set(command.id, command);
      return ok(command);
    });
    router.add('DELETE', `${base}/:commandId`, (req) => {
      const { commands } = scopeOf(req);
      commandOf(commands, req);
      commands.delete(req.params['commandId'] ?? '');
      return noContent();
    });
  }
}

function commandOf(commands: Map<string, APIApplicationCommand>, req: RestRequest): APIApplicationCommand {
  const command = commands.get(req.params['commandId'] ?? '');
  if (!command) throw new ApiError(404, 10063, 'Unknown application command');
  return command;
}

const COMMAND_TYPES = [
  ApplicationCommandType.ChatInput,
  ApplicationCommandType.User,
  ApplicationCommandType.Message,
  ApplicationCommandType.PrimaryEntryPoint,
];

/** The type a command is registered with (chat input when none is given); Discord refuses any other value. */
function commandTypeOf(raw: Record<string, unknown>, at: string): ApplicationCommandType {
  const given = raw['type'] ?? ApplicationCommandType.ChatInput;
  const type = COMMAND_TYPES.find((known) => known === given);
  if (type !== undefined) return type;
  const errors = { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: `Value must be one of {${COMMAND_TYPES.join(', ')}}.` }] } };
  throw invalidFormBody(at ? { [at]: errors } : errors);
}

function validate(raw: Record<string, unknown>, type: ApplicationCommandType, at: string): void {
  const errors: Record<string, unknown> = {};
  const name = raw['name'];
  const chatInput = type === ApplicationCommandType.ChatInput;
  if (
    typeof name !== 'string' ||
    name.length < 1 ||
    name.length > 32 ||
    (chatInput && !/^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(name))
  ) {
    errors['name'] = { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] };
  }
  const description = raw['description'];
  if (chatInput && (typeof description !== 'string' || description.length < 1 || description.length > 100)) {
    errors['description'] = { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] };
  }
  const options = (raw['options'] ?? []) as Array<{ required?: boolean; type?: number }>;
  if (options.length > 25) errors['options'] = { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] };
  const firstOptional = options.findIndex((o) => !o.required);
  if (firstOptional >= 0 && options.slice(firstOptional).some((o) => o.required && o.type !== 1 && o.type !== 2)) {
    errors['options'] = {
      _errors: [
        { code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' },
      ],
    };
  }
  if (Object.keys(errors).length > 0) throw invalidFormBody(at ? { [at]: errors } : errors);
}
