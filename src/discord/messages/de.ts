import type { Translation } from './catalogue.js';

export const de: Translation = {};
