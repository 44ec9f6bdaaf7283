import type { KeywordDocument } from '../../../src/store/keywordDocument.js';

/** Operation n of the crash test's endless sequence: mostly puts, every fifth a delete of an earlier document. */
export function keywordOperation(n: number): { kind: 'put'; document: KeywordDocument } | { kind: 'del'; id: string } {
  if (n % 5 === 4) return { kind: 'del', id: `doc${n - 2}` };
  return { kind: 'put', document: { id: `doc${n % 97}`, imageText: `word${n} ${'filler '.repeat(n % 7)}`.trim(), fileName: `f${n}.png` } };
}

/** id → document after operations 0..last, in order. */
export function stateAfter(last: number): Map<string, KeywordDocument> {
  const state = new Map<string, KeywordDocument>();
  for (let n = 0; n <= last; n++) {
    const operation = keywordOperation(n);
    if (operation.kind === 'put') state.set(operation.document.id, operation.document);
    else state.delete(operation.id);
  }
  return state;
}
