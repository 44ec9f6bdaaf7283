import { z } from 'zod';

/**
 * What an admin sets with /settings, one entry each: its kind (which shapes the command's
 * option and how the value is shown), its default and its bounds. A feature that adds a
 * switch adds its entry here and its words in the messages (`settings.<name>.name`, the
 * option; `.description`; `.label`, in the summary); the command, the stored schema and the
 * summary follow from this table.
 */
export const PREFERENCES = {
  /** Results on one gallery page (a media gallery holds at most 10). */
  resultsPerPage: { kind: 'integer', default: 10, min: 1, max: 10 },
  /** Whether members may post a result publicly with the Share button. */
  sharing: { kind: 'switch', default: false },
  /** Whether the words in this server's images are read (OCR: CPU and ~350 MB once loaded), for /find by words. */
  wordsInImages: { kind: 'switch', default: false },
} as const satisfies Record<string, PreferenceSpec>;

type PreferenceSpec = { kind: 'integer'; default: number; min: number; max: number } | { kind: 'switch'; default: boolean };

export type PreferenceName = keyof typeof PREFERENCES;

export type Preferences = {
  [K in PreferenceName]: (typeof PREFERENCES)[K]['kind'] extends 'switch' ? boolean : number;
};

export const PREFERENCE_NAMES = Object.keys(PREFERENCES) as PreferenceName[];

/** Reads stored preferences: an unknown, missing or out-of-range value is its default (a store written by any version loads). */
export function readPreferences(stored: unknown): Preferences {
  const values = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  return Object.fromEntries(
    PREFERENCE_NAMES.map((name) => [name, schemaOf(name).catch(PREFERENCES[name].default).parse(values[name])]),
  ) as Preferences;
}

function schemaOf(name: PreferenceName): z.ZodType<number | boolean> {
  const spec: PreferenceSpec = PREFERENCES[name];
  return spec.kind === 'switch' ? z.boolean() : z.number().int().min(spec.min).max(spec.max);
}
