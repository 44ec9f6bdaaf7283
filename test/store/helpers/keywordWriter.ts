/**
 * A child process for the keyword store's crash test: writes keyword operations to the
 * store at argv[2] forever (compacting every few writes), printing `acked N` once the
 * store has acknowledged operation N, until it is killed.
 */
import { openKeyv } from '../../../src/store/keyvFactory.js';
import { KeywordStore } from '../../../src/store/keywordStore.js';
import { keywordOperation } from './keywordOperations.js';

const keyv = await openKeyv(process.argv[2] as string);
const store = new KeywordStore(keyv, { compactAfter: 8, onProblem: (p) => console.error(`problem ${p.key}: ${p.reason}`) });
for (let n = 0; ; n++) {
  const operation = keywordOperation(n);
  if (operation.kind === 'put') await store.put('guild', [operation.document]);
  else await store.remove('guild', [operation.id]);
  process.stdout.write(`acked ${n}\n`);
}
