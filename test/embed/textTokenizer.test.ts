import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TextTokenizer } from '../../src/embed/textTokenizer.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';

const CLS = 2;
const SEP = 3;
const PAD = 0;
const LENGTH = 16;

describe('TextTokenizer (the tiny fixture tokenizer.json, uform padding rules)', () => {
  let tokenizer: TextTokenizer;
  before(async () => {
    tokenizer = await TextTokenizer.fromFile(path.join(await fixtureModelDir('tiny'), 'tokenizer.json'), {
      length: LENGTH,
      paddingIdx: PAD,
    });
  });

  test('wraps a text in [CLS] ... [SEP]', () => {
    const ids = tokenizer.tokenIds('red');
    assert.equal(ids[0], CLS);
    assert.equal(ids.at(-1), SEP);
    assert.equal(ids.length, 3);
  });

  test('pads every row to the model length with padding_idx and masks the padding', () => {
    const batch = tokenizer.encodeBatch(['red', 'a blue sky']);
    assert.equal(batch.inputIds.length, 2 * LENGTH);
    assert.ok(batch.inputIds instanceof Int32Array && batch.attentionMask instanceof Int32Array);
    const row0 = [...batch.inputIds.subarray(0, LENGTH)];
    const mask0 = [...batch.attentionMask.subarray(0, LENGTH)];
    assert.deepEqual(row0.slice(3), new Array<number>(LENGTH - 3).fill(PAD));
    assert.deepEqual(mask0, [1, 1, 1, ...new Array<number>(LENGTH - 3).fill(0)]);
    const mask1 = [...batch.attentionMask.subarray(LENGTH)];
    assert.equal(mask1.filter((bit) => bit === 1).length, tokenizer.tokenIds('a blue sky').length);
  });

  test('truncates a long text to the model length, as uform does', () => {
    const long = Array.from({ length: 40 }, () => 'red').join(' ');
    const batch = tokenizer.encodeBatch([long]);
    assert.equal(batch.inputIds.length, LENGTH);
    assert.ok(batch.attentionMask.every((bit) => bit === 1));
    assert.equal(batch.inputIds[0], CLS);
  });

  test('lower-cases and strips accents from non-ASCII text', () => {
    assert.deepEqual(tokenizer.tokenIds('Café CRÈME'), tokenizer.tokenIds('cafe creme'));
    assert.ok(!tokenizer.tokenIds('café').includes(1), 'no [UNK] for an accented known word');
  });

  test('an unknown word becomes word pieces or [UNK], never an error', () => {
    const ids = tokenizer.tokenIds('日本 zzqx');
    assert.equal(ids[0], CLS);
    assert.ok(ids.length > 2);
  });
});
