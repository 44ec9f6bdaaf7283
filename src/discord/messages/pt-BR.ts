import type { Translation } from './catalogue.js';

export const ptBR: Translation = {};
