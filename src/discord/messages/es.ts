import type { Translation } from './catalogue.js';

export const es: Translation = {};
