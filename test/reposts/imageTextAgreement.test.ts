import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_TEXT_AGREEMENT, textAgreement, textsAllowNearCopy } from '../../src/reposts/imageTextAgreement.js';

const CAPTION = 'WHEN YOU FINALLY FIND THE CAT\nAND IT WAS THERE ALL ALONG';
const OTHER_CAPTION = 'THEY SAID I COULD BE ANYTHING\nSO I BECAME A CAT';

describe('textAgreement', () => {
  test('is the share of words either text holds that both hold (Jaccard)', () => {
    assert.equal(textAgreement('a b c', 'b c d'), 2 / 4);
    assert.equal(textAgreement(CAPTION, CAPTION), 1);
  });

  test('compares words as the keyword index does: case, accents, punctuation and line breaks do not count', () => {
    assert.equal(textAgreement('Café: NOBODY!\nme', 'cafe nobody me'), 1);
  });

  test('counts a word once however often it appears', () => {
    assert.equal(textAgreement('cat and more cat', 'cat and more'), 1);
  });

  test('two texts without a word agree', () => {
    assert.equal(textAgreement('', ''), 1);
    assert.equal(textAgreement('', '—'), 1);
  });

  test('words against none do not agree', () => {
    assert.equal(textAgreement('', CAPTION), 0);
  });
});

describe('textsAllowNearCopy', () => {
  test('two captions on one template that share a word or two are kept apart', () => {
    assert.ok(textAgreement(CAPTION, OTHER_CAPTION) < MIN_TEXT_AGREEMENT);
    assert.equal(textsAllowNearCopy(CAPTION, OTHER_CAPTION), false);
  });

  test('a copy whose OCR lost a line and misread a word still agrees', () => {
    assert.equal(textsAllowNearCopy(CAPTION, 'AND IT- WAS THERE ALL ALONG'), true);
    assert.equal(textsAllowNearCopy(CAPTION, 'WHEN YOU FINALLY FIND THE CAT\nAND IT WAS THERE ALL AL0NG'), true);
  });

  test('too little text to tell (a watermark, a stray character) does not decide', () => {
    assert.equal(textsAllowNearCopy('新华网\nWWWNEWS.CN', '华网'), true);
    assert.equal(textsAllowNearCopy('福', ''), true);
    assert.equal(textsAllowNearCopy('NOPE', 'YES'), true);
  });

  test('a caption against a short text or none decides', () => {
    assert.equal(textsAllowNearCopy(CAPTION, ''), false);
    assert.equal(textsAllowNearCopy(CAPTION, '新华网'), false);
  });

  test('either text unknown: the words do not decide', () => {
    assert.equal(textsAllowNearCopy(undefined, CAPTION), true);
    assert.equal(textsAllowNearCopy(CAPTION, undefined), true);
  });

  test('mirrored letters read as noise do not agree with the words they mirror', () => {
    assert.equal(textsAllowNearCopy(CAPTION, 'TAO 3HT ONIN YJJANI1 UOY N3HW'), false);
  });
});
