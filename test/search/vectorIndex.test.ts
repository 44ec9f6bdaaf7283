import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CollectionIndexes,
  InvalidVectorError,
  VectorDimensionError,
  VectorIndex,
  type ScoredId,
  type SearchFilter,
  type SearchStats,
  type VectorMeta,
} from '../../src/search/vectorIndex.js';
import { mulberry32 as random } from '../fixtures/seededRandom.js';


function unitVector(next: () => number, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const g = Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
    v[i] = g;
    norm += g * g;
  }
  const inverse = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) v[i] = (v[i] as number) * inverse;
  return v;
}

interface Rec {
  id: string;
  vector: Float32Array;
  meta: VectorMeta;
}

function randomRecords(next: () => number, count: number, dimensions: number, prefix = 'img'): Rec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    vector: unitVector(next, dimensions),
    meta: {
      channelId: `ch-${Math.floor(next() * 6)}`,
      authorId: `user-${Math.floor(next() * 9)}`,
      createdAt: 1_700_000_000_000 + Math.floor(next() * 1_000_000),
    },
  }));
}

/** The specification: score every allowed record in float32, sort by score, ties by id. */
function bruteForce(records: Iterable<Rec>, query: Float32Array, k: number, filter: SearchFilter = {}): ScoredId[] {
  const scored: ScoredId[] = [];
  for (const { id, vector, meta } of records) {
    if (filter.channelIds && !filter.channelIds.has(meta.channelId)) continue;
    if (filter.authorId !== undefined && meta.authorId !== filter.authorId) continue;
    if (filter.after !== undefined && !(meta.createdAt > filter.after)) continue;
    if (filter.before !== undefined && !(meta.createdAt < filter.before)) continue;
    let score = 0;
    for (let i = 0; i < vector.length; i++) score += (vector[i] as number) * (query[i] as number);
    scored.push({ id, score });
  }
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.slice(0, k);
}

function indexOf(records: Rec[], dimensions: number, int8From: number): VectorIndex {
  const index = new VectorIndex(dimensions, { int8From });
  for (const r of records) index.upsert(r.id, r.vector, r.meta);
  return index;
}

// Both search paths must give the specification's answer: plain float32, and the int8 pre-scan.
const PATHS = [
  { name: 'float32 scan', int8From: Number.POSITIVE_INFINITY },
  { name: 'int8 pre-scan', int8From: 0 },
];

const META: VectorMeta = { channelId: 'c', authorId: 'a', createdAt: 1 };

describe('VectorIndex records', () => {
  test('upsert adds records that has() and size report', () => {
    const next = random(1);
    const index = new VectorIndex(8);
    index.upsert('a', unitVector(next, 8), META);
    index.upsert('b', unitVector(next, 8), META);
    assert.equal(index.size, 2);
    assert.ok(index.has('a') && index.has('b'));
    assert.ok(!index.has('c'));
    assert.deepEqual([...index.ids()].sort(), ['a', 'b']);
  });

  for (const path of PATHS) {
    test(`upsert of an existing id keeps one row with the new vector and metadata (${path.name})`, () => {
      const next = random(2);
      const index = new VectorIndex(16, { int8From: path.int8From });
      const old = unitVector(next, 16);
      const fresh = unitVector(next, 16);
      index.upsert('x', old, META);
      index.upsert('y', unitVector(next, 16), META);
      index.upsert('x', fresh, { channelId: 'c2', authorId: 'a2', createdAt: 5 });
      assert.equal(index.size, 2);
      assert.deepEqual(index.getVector('x'), fresh);
      assert.deepEqual(index.getMeta('x'), { channelId: 'c2', authorId: 'a2', createdAt: 5 });
      const [best] = index.search(fresh, 1);
      assert.equal(best?.id, 'x');
      assert.ok(Math.abs((best?.score ?? 0) - 1) < 1e-6);
    });
  }

  test('remove deletes a record once and reports whether it existed', () => {
    const next = random(3);
    const index = new VectorIndex(8);
    const v = unitVector(next, 8);
    index.upsert('a', v, META);
    index.upsert('b', unitVector(next, 8), META);
    assert.equal(index.remove('a'), true);
    assert.equal(index.remove('a'), false);
    assert.equal(index.size, 1);
    assert.ok(!index.has('a'));
    assert.deepEqual(
      index.search(v, 5).map((r) => r.id),
      ['b'],
    );
  });

  test('removeWhere drops the selected records (e.g. one channel) and returns their ids', () => {
    const records = randomRecords(random(4), 300, 12);
    const index = indexOf(records, 12, 100);
    const removed = index.removeWhere((_id, meta) => meta.channelId === 'ch-2');
    const expected = records.filter((r) => r.meta.channelId === 'ch-2').map((r) => r.id);
    assert.deepEqual(removed.sort(), expected.sort());
    assert.equal(index.size, records.length - expected.length);
    const rest = records.filter((r) => r.meta.channelId !== 'ch-2');
    const query = unitVector(random(5), 12);
    assert.deepEqual(index.search(query, 20), bruteForce(rest, query, 20));
  });

  test('a vector of the wrong dimension is rejected with VectorDimensionError', () => {
    const index = new VectorIndex(8);
    assert.throws(() => index.upsert('a', new Float32Array(7), META), VectorDimensionError);
    assert.throws(() => index.search(new Float32Array(9), 3), (error: unknown) => {
      assert.ok(error instanceof VectorDimensionError);
      assert.match(error.message, /9 dimensions.*8-dimension/);
      return true;
    });
    assert.equal(index.size, 0);
  });

  test('non-finite values and invalid dimensions are rejected', () => {
    const index = new VectorIndex(4);
    assert.throws(() => index.upsert('a', Float32Array.of(0, Number.NaN, 0, 1), META), InvalidVectorError);
    assert.throws(() => index.upsert('a', Float32Array.of(0, 0, 0, 1), { ...META, createdAt: Number.NaN }), InvalidVectorError);
    assert.throws(() => new VectorIndex(0), RangeError);
    assert.throws(() => new VectorIndex(2.5), RangeError);
    assert.equal(index.size, 0);
  });
});

describe('VectorIndex search equals brute-force exact ranking', () => {
  for (const path of PATHS) {
    for (const seed of [11, 12, 13]) {
      test(`top-k on random data, seed ${seed} (${path.name})`, () => {
        const next = random(seed);
        const dimensions = seed === 11 ? 256 : 40; // 40 is not a multiple of the SIMD width
        const records = randomRecords(next, 1500, dimensions);
        const index = indexOf(records, dimensions, path.int8From);
        for (const k of [1, 10, 57]) {
          const query = unitVector(next, dimensions);
          assert.deepEqual(index.search(query, k), bruteForce(records, query, k));
        }
        const query = unitVector(next, dimensions);
        assert.equal(index.search(query, records.length + 5).length, records.length);
        assert.deepEqual(index.search(query, 0), []);
      });
    }

    test(`filters by channels, author, time range and all combined (${path.name})`, () => {
      for (const seed of [21, 22, 23]) {
        const next = random(seed);
        const records = randomRecords(next, 1200, 24);
        const index = indexOf(records, 24, path.int8From);
        const times = records.map((r) => r.meta.createdAt).sort((a, b) => a - b);
        const mid = times[600] as number;
        const filters: SearchFilter[] = [
          { channelIds: new Set(['ch-1', 'ch-4']) },
          { authorId: 'user-3' },
          { after: mid },
          { before: mid },
          { after: times[100] as number, before: times[900] as number },
          { channelIds: new Set(['ch-0', 'ch-5', 'ch-unknown']), authorId: 'user-7', after: times[200] as number, before: mid },
        ];
        for (const filter of filters) {
          const query = unitVector(next, 24);
          assert.deepEqual(index.search(query, 10, filter), bruteForce(records, query, 10, filter), JSON.stringify(filter));
        }
      }
    });

    test(`a filter leaving fewer than k rows returns just those, one leaving none returns [] (${path.name})`, () => {
      const next = random(31);
      const records = randomRecords(next, 800, 24);
      const index = indexOf(records, 24, path.int8From);
      const query = unitVector(next, 24);
      const target = records[17] as Rec;
      const few: SearchFilter = { authorId: target.meta.authorId, channelIds: new Set([target.meta.channelId]), after: target.meta.createdAt - 20_000, before: target.meta.createdAt + 20_000 };
      const expected = bruteForce(records, query, 10, few);
      assert.ok(expected.length > 0 && expected.length < 10, `fixture should leave 1..9 rows, left ${expected.length}`);
      assert.deepEqual(index.search(query, 10, few), expected);
      for (const none of [
        { channelIds: new Set<string>() },
        { channelIds: new Set(['no-such-channel']) },
        { authorId: 'nobody' },
        { after: 2_000_000_000_000 },
        { after: 5, before: 5 },
      ]) {
        assert.deepEqual(index.search(query, 10, none), [], JSON.stringify(none));
      }
    });

    test(`removal by swap-with-last keeps search exact (${path.name})`, () => {
      const next = random(41);
      const records = randomRecords(next, 1000, 32);
      const index = indexOf(records, 32, path.int8From);
      const kept = new Map(records.map((r) => [r.id, r]));
      const doomed = [records[0], records[999], records[500], ...records.filter(() => next() < 0.4)] as Rec[];
      for (const r of doomed) {
        index.remove(r.id);
        kept.delete(r.id);
      }
      assert.equal(index.size, kept.size);
      for (let i = 0; i < 5; i++) {
        const query = unitVector(next, 32);
        assert.deepEqual(index.search(query, 15), bruteForce(kept.values(), query, 15));
      }
      // Rows moved by the swaps can still be updated and removed.
      const moved = [...kept.values()].slice(-3);
      for (const r of moved) {
        r.vector = unitVector(next, 32);
        index.upsert(r.id, r.vector, r.meta);
      }
      index.remove((moved[0] as Rec).id);
      kept.delete((moved[0] as Rec).id);
      const query = (moved[1] as Rec).vector;
      assert.deepEqual(index.search(query, 15), bruteForce(kept.values(), query, 15));
    });

    test(`equal scores rank by id (${path.name})`, () => {
      const next = random(51);
      const index = new VectorIndex(16, { int8From: path.int8From });
      const shared = unitVector(next, 16);
      for (const id of ['m', 'c', 'x', 'a']) index.upsert(id, shared, META);
      index.upsert('far', unitVector(next, 16), META);
      assert.deepEqual(
        index.search(shared, 3).map((r) => r.id),
        ['a', 'c', 'm'],
      );
    });
  }

  test('near-duplicate vectors, where int8 cannot separate the top k, still rank exactly', () => {
    const next = random(61);
    const dimensions = 64;
    const base = unitVector(next, dimensions);
    const records: Rec[] = randomRecords(next, 300, dimensions, 'other');
    for (let i = 0; i < 700; i++) {
      const v = base.map((x) => x + (next() - 0.5) * 2e-4);
      records.push({ id: `dup-${i}`, vector: v, meta: META });
    }
    const index = indexOf(records, dimensions, 0);
    const stats = {} as SearchStats;
    const query = base.map((x) => x + (next() - 0.5) * 1e-4);
    assert.deepEqual(index.search(query, 10, undefined, stats), bruteForce(records, query, 10));
    assert.equal(stats.path, 'int8');
    assert.equal(stats.certified, false, 'this fixture should need the second pass');
  });

  test('in 3 dimensions, with scores closer together than the int8 error, ranking stays exact', () => {
    // Rows and queries in a narrow cone: scores differ by less than int8 rounding, and in so few
    // dimensions the rounding errors of row and query often line up, so the error bound is nearly
    // tight: a bound missing any term lets a true top-k row slip out here.
    const next = random(63);
    const axis = unitVector(next, 3);
    const near = (spread: number): Float32Array => {
      const v = axis.map((x) => x + (next() - 0.5) * spread);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const records: Rec[] = Array.from({ length: 3000 }, (_, i) => ({ id: `cone-${i}`, vector: near(0.05), meta: META }));
    const index = indexOf(records, 3, 0);
    let secondPasses = 0;
    for (let i = 0; i < 100; i++) {
      const stats = {} as SearchStats;
      const query = near(0.05);
      assert.deepEqual(index.search(query, 5, undefined, stats), bruteForce(records, query, 5));
      if (!stats.certified) secondPasses++;
    }
    assert.ok(secondPasses > 50, `this fixture should need the second pass mostly, needed it ${secondPasses} times`);
  });

  test('vectors of very different lengths still rank exactly by dot product', () => {
    const next = random(65);
    const records = randomRecords(next, 1200, 48).map((r) => {
      const length = 10 ** (next() * 6 - 3); // 0.001 .. 1000
      return { ...r, vector: r.vector.map((x) => x * length) };
    });
    const index = indexOf(records, 48, 0);
    for (const length of [1e-3, 1, 1e3]) {
      const query = unitVector(next, 48).map((x) => x * length);
      assert.deepEqual(index.search(query, 10), bruteForce(records, query, 10));
    }
  });

  test('crossing the int8 threshold up and down keeps results identical', () => {
    const next = random(71);
    const records = randomRecords(next, 400, 20);
    const index = new VectorIndex(20, { int8From: 200 });
    const live = new Map<string, Rec>();
    const check = (expectedPath: SearchStats['path']): void => {
      const stats = {} as SearchStats;
      const query = unitVector(next, 20);
      assert.deepEqual(index.search(query, 7, undefined, stats), bruteForce(live.values(), query, 7));
      assert.equal(stats.path, expectedPath);
    };
    for (const r of records.slice(0, 150)) live.set(r.id, r), index.upsert(r.id, r.vector, r.meta);
    check('exact');
    for (const r of records.slice(150)) live.set(r.id, r), index.upsert(r.id, r.vector, r.meta);
    check('int8');
    for (const r of records.slice(0, 250)) live.delete(r.id), index.remove(r.id);
    check('int8'); // 150 left: still above half the threshold
    for (const r of records.slice(250, 320)) live.delete(r.id), index.remove(r.id);
    check('exact');
  });
});

describe('CollectionIndexes', () => {
  test('partitions never see each other’s vectors', () => {
    const next = random(81);
    const indexes = new CollectionIndexes(16, { int8From: 0 });
    const shared = unitVector(next, 16);
    indexes.getOrCreate('guild-a').upsert('a-1', unitVector(next, 16), META);
    indexes.getOrCreate('guild-b').upsert('b-1', shared, META); // the perfect match lives in B
    const inA = indexes.get('guild-a')?.search(shared, 10) ?? [];
    assert.deepEqual(
      inA.map((r) => r.id),
      ['a-1'],
    );
    assert.equal(indexes.get('guild-b')?.search(shared, 1)[0]?.id, 'b-1');
    assert.equal(indexes.get('guild-c'), undefined);
    assert.equal(indexes.getOrCreate('guild-a'), indexes.get('guild-a'));
    assert.deepEqual(indexes.collections().sort(), ['guild-a', 'guild-b']);
    assert.equal(indexes.totalSize(), 2);
  });

  test('drop forgets a collection', () => {
    const indexes = new CollectionIndexes(4);
    indexes.getOrCreate('g').upsert('x', Float32Array.of(1, 0, 0, 0), META);
    assert.equal(indexes.drop('g'), true);
    assert.equal(indexes.drop('g'), false);
    assert.equal(indexes.get('g'), undefined);
    assert.equal(indexes.totalSize(), 0);
    assert.equal(indexes.getOrCreate('g').size, 0);
  });

  test('every partition uses the dimension it was given', () => {
    const indexes = new CollectionIndexes(3);
    assert.equal(indexes.getOrCreate('g').dimensions, 3);
    assert.throws(() => indexes.getOrCreate('g').upsert('x', new Float32Array(4), META), VectorDimensionError);
  });
});
