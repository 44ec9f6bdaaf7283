import type { Translation } from './catalogue.js';

export const ja: Translation = {};
