import { eachComponent } from './componentTree.js';
import { invalidFormBody } from './errors.js';
import { discordErrorTree, type FieldError } from './spec/formErrors.js';

/**
 * Rules of a Components V2 message (flag IS_COMPONENTS_V2) that Discord enforces on the message as a whole, which its
 * OpenAPI schemas cannot say: no content or embeds beside the components, at most 40 components counting nested ones,
 * at most 4000 characters in all its text displays together.
 */

export const IS_COMPONENTS_V2 = 1 << 15;
export const MAX_COMPONENTS_V2 = 40;
export const MAX_COMPONENTS_V2_TEXT = 4000;

/** Throws Discord's 400 Invalid Form Body when a message, as it would be stored, breaks a Components V2 rule. */
export function assertComponentsV2Rules(message: { content: string; embeds: unknown[]; components: unknown[]; flags: number }): void {
  if ((message.flags & IS_COMPONENTS_V2) === 0) return;
  const errors: FieldError[] = [];
  const legacy = (path: string): FieldError => ({
    path,
    code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
    message: `The '${path}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`,
  });
  if (message.content !== '') errors.push(legacy('content'));
  if (message.embeds.length > 0) errors.push(legacy('embeds'));
  const all = [...eachComponent(message.components)];
  if (all.length > MAX_COMPONENTS_V2) {
    errors.push({
      path: 'components',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${MAX_COMPONENTS_V2} or fewer in total (nested components counted); got ${all.length}.`,
    });
  }
  const text = all.reduce((sum, c) => sum + (c.type === 10 && typeof c.content === 'string' ? [...c.content].length : 0), 0);
  if (text > MAX_COMPONENTS_V2_TEXT) {
    errors.push({
      path: 'components',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Text displays must hold ${MAX_COMPONENTS_V2_TEXT} or fewer characters in total; got ${text}.`,
    });
  }
  if (errors.length > 0) throw invalidFormBody(discordErrorTree(errors));
}
