import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CollectionRecords } from '../../src/library/collectionRecords.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { RecordTable } from '../../src/library/recordTable.js';
import {
  InvalidVectorError,
  VectorDimensionError,
  VectorIndex,
  type SearchFilter,
  type SearchStats,
} from '../../src/search/vectorIndex.js';
import { mulberry32 as random } from '../fixtures/seededRandom.js';

/**
 * The vector index searched as the library searches it: through a collection's records, whose
 * metadata rows and vectors share row numbers (filters read the metadata, ties rank by id).
 */

const MODEL = 'test-model';

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

interface Meta {
  channelId: string;
  authorId: string;
  /** ms since epoch */
  createdAt: number;
}

interface Rec {
  id: string;
  vector: Float32Array;
  meta: Meta;
}

interface ScoredId {
  id: string;
  score: number;
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

function imageRecord(r: Rec): ImageRecord {
  return {
    id: r.id,
    collection: 'g',
    channelId: r.meta.channelId,
    messageId: '',
    attachmentId: '',
    authorId: r.meta.authorId,
    createdAt: r.meta.createdAt,
    source: `/images/${r.id}.png`,
    contentHash: '0'.repeat(64),
    perceptualHash: undefined,
    modelId: MODEL,
    embedding: r.vector,
  };
}

/** Records as the library holds them; `search` answers with ids, as hits do. */
class Indexed {
  readonly records: CollectionRecords;

  constructor(dimensions: number, int8From: number) {
    this.records = new CollectionRecords('g', MODEL, dimensions, { int8From });
  }

  get size(): number {
    return this.records.searchable.size;
  }

  put(r: Rec): void {
    this.records.put(imageRecord(r));
  }

  remove(id: string): boolean {
    return this.records.remove(id);
  }

  search(query: Float32Array, k: number, filter?: SearchFilter, stats?: SearchStats): ScoredId[] {
    const { rows, scores } = this.records.search(query, k, filter, stats);
    return rows.map((row, i) => ({ id: this.records.searchable.idAt(row), score: scores[i] as number }));
  }
}

function indexOf(records: Rec[], dimensions: number, int8From: number): Indexed {
  const index = new Indexed(dimensions, int8From);
  for (const r of records) index.put(r);
  return index;
}

// Both search paths must give the specification's answer: plain float32, and the int8 pre-scan.
const PATHS = [
  { name: 'float32 scan', int8From: Number.POSITIVE_INFINITY },
  { name: 'int8 pre-scan', int8From: 0 },
];

const META: Meta = { channelId: 'c', authorId: 'a', createdAt: 1 };

describe('VectorIndex rows', () => {
  for (const path of PATHS) {
    test(`putting an existing id keeps one row with the new vector and metadata (${path.name})`, () => {
      const next = random(2);
      const index = new Indexed(16, path.int8From);
      const fresh = unitVector(next, 16);
      index.put({ id: 'x', vector: unitVector(next, 16), meta: META });
      index.put({ id: 'y', vector: unitVector(next, 16), meta: META });
      index.put({ id: 'x', vector: fresh, meta: { channelId: 'c2', authorId: 'a2', createdAt: 5 } });
      assert.equal(index.size, 2);
      const [best] = index.search(fresh, 1);
      assert.equal(best?.id, 'x');
      assert.ok(Math.abs((best?.score ?? 0) - 1) < 1e-6);
      assert.deepEqual(
        index.search(fresh, 1, { channelIds: new Set(['c2']), authorId: 'a2', before: 6 }).map((hit) => hit.id),
        ['x'],
      );
    });
  }

  test('remove deletes a record once and reports whether it existed', () => {
    const next = random(3);
    const index = new Indexed(8, Number.POSITIVE_INFINITY);
    const v = unitVector(next, 8);
    index.put({ id: 'a', vector: v, meta: META });
    index.put({ id: 'b', vector: unitVector(next, 8), meta: META });
    assert.equal(index.remove('a'), true);
    assert.equal(index.remove('a'), false);
    assert.equal(index.size, 1);
    assert.deepEqual(
      index.search(v, 5).map((r) => r.id),
      ['b'],
    );
  });

  test("removing one channel's records leaves exact search over the rest", () => {
    const records = randomRecords(random(4), 300, 12);
    const index = indexOf(records, 12, 100);
    for (const r of records) if (r.meta.channelId === 'ch-2') index.remove(r.id);
    const rest = records.filter((r) => r.meta.channelId !== 'ch-2');
    assert.equal(index.size, rest.length);
    const query = unitVector(random(5), 12);
    assert.deepEqual(index.search(query, 20), bruteForce(rest, query, 20));
  });

  /** What a bare VectorIndex reads besides vectors: an empty table's columns, ties by row. */
  const emptyRows = () => ({ columns: new RecordTable('g', MODEL), ranksFirst: (a: number, b: number) => a < b });

  test('a vector of the wrong dimension is rejected with VectorDimensionError', () => {
    const index = new VectorIndex(8, emptyRows());
    assert.throws(() => index.append(new Float32Array(7)), VectorDimensionError);
    assert.throws(
      () => index.search(new Float32Array(9), 3),
      (error: unknown) => {
        assert.ok(error instanceof VectorDimensionError);
        assert.match(error.message, /9 dimensions.*8-dimension/);
        return true;
      },
    );
    assert.equal(index.size, 0);
  });

  test('non-finite values and invalid dimensions are rejected', () => {
    const rows = emptyRows();
    const index = new VectorIndex(4, rows);
    assert.throws(() => index.append(Float32Array.of(0, Number.NaN, 0, 1)), InvalidVectorError);
    assert.throws(() => new VectorIndex(0, rows), RangeError);
    assert.throws(() => new VectorIndex(2.5, rows), RangeError);
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
          { after: times[100], before: times[900] },
          { channelIds: new Set(['ch-0', 'ch-5', 'ch-unknown']), authorId: 'user-7', after: times[200], before: mid },
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
      const few: SearchFilter = {
        authorId: target.meta.authorId,
        channelIds: new Set([target.meta.channelId]),
        after: target.meta.createdAt - 20_000,
        before: target.meta.createdAt + 20_000,
      };
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
        index.put(r);
      }
      index.remove((moved[0] as Rec).id);
      kept.delete((moved[0] as Rec).id);
      const query = (moved[1] as Rec).vector;
      assert.deepEqual(index.search(query, 15), bruteForce(kept.values(), query, 15));
    });

    test(`equal scores rank by id (${path.name})`, () => {
      const next = random(51);
      const index = new Indexed(16, path.int8From);
      const shared = unitVector(next, 16);
      for (const id of ['m', 'c', 'x', 'a']) index.put({ id, vector: shared, meta: META });
      index.put({ id: 'far', vector: unitVector(next, 16), meta: META });
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
    const index = new Indexed(20, 200);
    const live = new Map<string, Rec>();
    const check = (expectedPath: SearchStats['path']): void => {
      const stats = {} as SearchStats;
      const query = unitVector(next, 20);
      assert.deepEqual(index.search(query, 7, undefined, stats), bruteForce(live.values(), query, 7));
      assert.equal(stats.path, expectedPath);
    };
    for (const r of records.slice(0, 150)) {
      live.set(r.id, r);
      index.put(r);
    }
    check('exact');
    for (const r of records.slice(150)) {
      live.set(r.id, r);
      index.put(r);
    }
    check('int8');
    for (const r of records.slice(0, 250)) {
      live.delete(r.id);
      index.remove(r.id);
    }
    check('int8'); // 150 left: still above half the threshold
    for (const r of records.slice(250, 320)) {
      live.delete(r.id);
      index.remove(r.id);
    }
    check('exact');
  });
});
