import fixture from '../../fixtures/streams.json';
import { conceptDrift, recurringDrift, suddenDrift } from './drift';
import { agrawal, agrawalConcept, AgrawalFunction, hyperplane, LabelledEvent, mixed, mixedConcept, sea, seaConcept, stagger, staggerConcept, Stream } from './generators';
import { seededRandom, StreamRandom } from './random';

// Expected events: River 0.26.1's own generators (seed 7; the drift case seeds 1, 2, 3),
// with every random() / randint() result they drew recorded, by
// tools/fixtures/gen_stream_fixtures.py. Replaying those draws, each port must yield
// River's features and labels exactly (same arithmetic in double precision).
function replay(tape: number[]): StreamRandom {
  let i = 0;
  const next = () => {
    if (i >= tape.length) throw new Error('tape exhausted: the port drew more than River');
    return tape[i++];
  };
  return { random: next, randint: next };
}

type Params = Record<string, number>;
const make: Record<string, (tapes: number[][], p: Params) => Stream> = {
  sea: ([t], p) => sea(replay(t), p.variant as 0 | 1 | 2 | 3, p.noise),
  stagger: ([t], p) => stagger(replay(t), p.classificationFunction as 0 | 1 | 2),
  agrawal: ([t], p) => agrawal(replay(t), p.classificationFunction as AgrawalFunction, p.perturbation),
  hyperplane: ([t], p) => hyperplane(replay(t), p),
  mixed: ([t], p) => mixed(replay(t), p.classificationFunction as 0 | 1),
  // River's ConceptDriftStream(SEA(variant 0), SEA(variant 2)): its own draws first, then each stream's.
  conceptDrift: ([own, before, after], p) => conceptDrift(replay(own), sea(replay(before), 0), sea(replay(after), 2), p.position, p.width),
};

function take(s: Stream, n: number): LabelledEvent[] {
  return Array.from({ length: n }, () => s.next().value);
}

describe.each(fixture.cases.map((c) => ({ ...c, label: `${c.name} ${JSON.stringify(c.params)}` })))('$label matches River 0.26.1', (c) => {
  it(`yields River's ${c.events.length} events from River's draws`, () => {
    const ours = take(make[c.name](c.tapes, c.params as unknown as Params), c.events.length);
    // River keys SEA / Hyperplane / Mixed features by position; the ports name them.
    ours.forEach((e, i) => {
      expect(Object.values(e.x)).toEqual(Object.values(c.events[i].x));
      expect(e.y).toBe(c.events[i].y);
    });
  });
});

describe('changes at known points', () => {
  const labelOf = (variant: 0 | 2) => (e: LabelledEvent) => (e.x.x0 + e.x.x1 > [8, 9, 7, 9.5][variant] ? 1 : 0);

  it('sudden: the new concept from event position + 1 on', () => {
    const events = take(suddenDrift(sea(seededRandom(1), 0), sea(seededRandom(2), 2), 100), 200);
    expect(events.slice(0, 100).every((e) => e.y === labelOf(0)(e))).toBe(true);
    expect(events.slice(100).every((e) => e.y === labelOf(2)(e))).toBe(true);
  });

  it('recurring: back to the old concept after `duration` events', () => {
    const events = take(recurringDrift(stagger(seededRandom(1), 0), stagger(seededRandom(2), 2), 50, 30), 120);
    const f0 = (e: LabelledEvent) => (e.x.size === 0 && e.x.color === 0 ? 1 : 0);
    const f2 = (e: LabelledEvent) => (e.x.size >= 1 ? 1 : 0);
    expect(events.every((e, i) => e.y === (i >= 50 && i < 80 ? f2(e) : f0(e)))).toBe(true);
  });

  it('gradual: the share from the new concept follows the sigmoid (½ at the position)', () => {
    // σ(t) = 1 / (1 + e^{−4(t − p)/w}); over t ∈ (p − w/2, p + w/2] its mean is ½ by symmetry,
    // and before p − 2w it is below 1 / (1 + e^8) = 3.4e-4. Tag each event by its source.
    const tagged = (tag: number): Stream => ({ next: () => ({ done: false, value: { x: {}, y: tag } }) });
    const events = take(conceptDrift(seededRandom(3), tagged(0), tagged(1), 50_000, 10_000), 100_000);
    const share = (from: number, to: number) => events.slice(from, to).reduce((s, e) => s + e.y, 0) / (to - from);
    expect(share(0, 30_000)).toBeLessThan(0.001);
    // Binomial sd of the mean over 10 000 draws ≤ 0.005: 4 sd.
    expect(Math.abs(share(45_000, 55_000) - 0.5)).toBeLessThan(0.02);
    expect(share(70_000, 100_000)).toBeGreaterThan(0.999);
  });

  it('incremental: the hyperplane with magChange moves its concept, without it the labels stay put', () => {
    // Same draws, weights fixed vs moving by 0.01 per event: by 1000 events the labels differ often.
    const still = take(hyperplane(seededRandom(5), { noisePercentage: 0, sigma: 0 }), 2000);
    const moving = take(hyperplane(seededRandom(5), { noisePercentage: 0, sigma: 0, magChange: 0.01 }), 2000);
    expect(moving.slice(0, 1).map((e) => e.y)).toEqual(still.slice(0, 1).map((e) => e.y));
    const differ = moving.slice(1000).filter((e, i) => e.y !== still[1000 + i].y).length;
    expect(differ).toBeGreaterThan(100);
  });

  it('seededRandom is deterministic and randint covers both ends', () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    const draws = Array.from({ length: 1000 }, () => a.randint(0, 2));
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b.randint(0, 2)));
    expect(new Set(draws)).toEqual(new Set([0, 1, 2]));
  });
});

describe('concepts (what a model that learnt a concept predicts)', () => {
  it.each([
    ['SEA 3', () => sea(seededRandom(1), 3), seaConcept(3)],
    ['STAGGER 1', () => stagger(seededRandom(1), 1), staggerConcept(1)],
    ['Agrawal 9', () => agrawal(seededRandom(1), 9), agrawalConcept(9)],
    ['Mixed 1', () => mixed(seededRandom(1), 1), mixedConcept(1)],
  ] as const)('%s labels as its noise-free generator does', (_name, stream, concept) => {
    expect(take(stream(), 2000).every((e) => concept(e.x) === e.y)).toBe(true);
  });
});
