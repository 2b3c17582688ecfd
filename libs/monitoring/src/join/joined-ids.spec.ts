import { JoinedIds } from './joined-ids';

describe('JoinedIds', () => {
  it('answers membership and gives the oldest time first, in insertion order', () => {
    const ids = new JoinedIds();
    ids.add('a', 30);
    ids.add('b', 10);
    ids.add('c', 20);
    expect([ids.size, ids.has('b'), ids.has('z')]).toEqual([3, true, false]);
    // Insertion order, not time order: 'a' (30) is the oldest entry.
    expect(ids.oldestTime()).toBe(30);
    ids.shift();
    expect([ids.has('a'), ids.oldestTime(), ids.size]).toEqual([false, 10, 2]);
    ids.shift();
    ids.shift();
    expect([ids.oldestTime(), ids.size]).toEqual([undefined, 0]);
    ids.shift();
    expect(ids.size).toBe(0);
  });

  it('stays a bounded FIFO through growth and compaction (100 000 adds at a bound of 1 000, against a plain array)', () => {
    const ids = new JoinedIds();
    const model: [string, number][] = [];
    for (let i = 0; i < 100_000; i++) {
      if (ids.size >= 1_000) {
        ids.shift();
        model.shift();
      }
      ids.add(`p${i}`, i * 7);
      model.push([`p${i}`, i * 7]);
      if (i % 9_973 === 0) expect([ids.size, ids.oldestTime(), ids.has(model[0][0]), ids.has(`p${i - 1_000}`)]).toEqual([model.length, model[0][1], true, false]);
    }
    expect(ids.size).toBe(1_000);
    expect(ids.oldestTime()).toBe(99_000 * 7);
  });
});
