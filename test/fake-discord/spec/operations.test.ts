import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscordSpec } from './discordSpec.js';
import { OperationIndex, readOperations } from './operations.js';

/** Reading the spec's route table from discord-api-spec's generated `Paths` interface, and finding a request's route. */

const GENERATED = `
export interface Paths {
  "/interactions/{interaction_id}/{interaction_token}/callback": {
    post: {
      parameters: {
        path?: {
          interaction_id: SnowflakeType;
        };
      };
      requestBody?:
        | CreateMessageInteractionCallbackRequest
        | UpdateMessageInteractionCallbackRequest;
      responses: {
        /** 200 response for create_interaction_response */
        "200": InteractionCallbackResponse;
        "204": unknown;
      };
    };
  };
  "/channels/{channel_id}/messages/bulk-delete": {
    post: {
      requestBody?: {
        messages: SnowflakeType[];
      };
      responses: {
        "204": unknown;
      };
    };
  };
}
`;

test('operations are read with multi-line unions and inline bodies', () => {
  const [callback, bulkDelete] = readOperations(GENERATED);
  assert.equal(callback?.method, 'POST');
  assert.equal(callback?.requestBody, 'CreateMessageInteractionCallbackRequest | UpdateMessageInteractionCallbackRequest');
  assert.deepEqual(
    [...(callback?.responses ?? [])],
    [
      ['200', 'InteractionCallbackResponse'],
      ['204', 'unknown'],
    ],
  );
  assert.equal(bulkDelete?.requestBody, '{ messages: SnowflakeType[]; }');
});

test('a literal segment wins over a parameter: @original is not a message id', () => {
  const index = new OperationIndex([
    { method: 'PATCH', path: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}', requestBody: 'A', responses: new Map() },
    { method: 'PATCH', path: '/webhooks/{webhook_id}/{webhook_token}/messages/@original', requestBody: 'B', responses: new Map() },
  ]);
  assert.equal(index.find('PATCH', '/webhooks/1/t/messages/@original')?.requestBody, 'B');
  assert.equal(index.find('PATCH', '/webhooks/1/t/messages/2')?.requestBody, 'A');
  assert.equal(index.find('GET', '/webhooks/1/t/messages/2'), null, 'another method is another operation');
});

test("the package's spec names a schema for each message body the bot sends", () => {
  const spec = DiscordSpec.get();
  const bodies = [
    ['POST', '/channels/1/messages', 'MessageCreateRequest'],
    ['PATCH', '/channels/1/messages/2', 'MessageEditRequestPartial'],
    ['PATCH', '/webhooks/1/t/messages/@original', 'IncomingWebhookUpdateRequestPartial'],
    ['PUT', '/applications/1/guilds/2/commands', 'ApplicationCommandUpdateRequest[] | null'],
  ] as const;
  for (const [method, path, name] of bodies) {
    const operation = spec.operation(method, path);
    assert.ok(operation, `${method} ${path}`);
    assert.equal(spec.requestSchema(operation)?.name, name);
  }
  assert.equal(spec.operation('POST', '/attachments/refresh-urls'), null, 'not in the published spec, so not checked');
});
