import type { Translation } from './catalogue.js';

export const fr: Translation = {};
