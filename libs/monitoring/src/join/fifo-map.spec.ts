import { mulberry32 } from '../random';
import { FifoMap } from './fifo-map';

describe('FifoMap', () => {
  it('keeps insertion order through deletes and shifts', () => {
    const m = new FifoMap<number>();
    ['a', 'b', 'c', 'd'].forEach((k, i) => m.set(k, i));
    m.delete('a');
    m.delete('c');
    expect(m.shift()).toEqual(expect.objectContaining({ key: 'b', value: 1 }));
    expect(m.oldest()?.key).toBe('d');
    expect(m.size).toBe(1);
    expect(m.get('d')).toBe(3);
    expect(m.has('b')).toBe(false);
  });

  it('memory stays bounded under a sliding set/shift/delete workload (seeded)', () => {
    const rand = mulberry32(3);
    const m = new FifoMap<number>();
    let maxQueue = 0;
    for (let i = 0; i < 200_000; i++) {
      m.set(`k${i}`, i);
      if (rand() < 0.5) m.delete(`k${i - Math.floor(rand() * 100)}`);
      while (m.size > 5_000) m.shift();
      maxQueue = Math.max(maxQueue, m.queueLength);
    }
    expect(maxQueue).toBeLessThanOrEqual(2 * 5_000 + 2);
  });
});
