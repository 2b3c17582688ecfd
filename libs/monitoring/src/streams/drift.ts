/**
 * Changes at known points, composed from two concept streams (River's ConceptDriftStream
 * and its usual uses):
 *
 * - gradual: event t (1-based) comes from the new concept with probability
 *   σ(t) = 1 / (1 + e^{−4 (t − position) / width}) (River's ConceptDriftStream, one
 *   `random()` per event from its own generator);
 * - sudden: the same with width → 0, i.e. the new concept from event `position` + 1 on;
 * - recurring: old → new at `position`, new → old at `position + duration`;
 * - incremental: the hyperplane's weights moving every event (`hyperplane({ magChange })`).
 */
import type { LabelledEvent, Stream } from './generators';
import type { StreamRandom } from './random';

export function* conceptDrift(rng: StreamRandom, before: Stream, after: Stream, position: number, width: number): Generator<LabelledEvent, never> {
  for (let t = 1; ; t++) {
    const p = 1 / (1 + Math.exp((-4 * (t - position)) / width));
    yield rng.random() > p ? before.next().value : after.next().value;
  }
}

export function* suddenDrift(before: Stream, after: Stream, position: number): Generator<LabelledEvent, never> {
  for (let t = 1; ; t++) yield t <= position ? before.next().value : after.next().value;
}

export function* recurringDrift(before: Stream, after: Stream, position: number, duration: number): Generator<LabelledEvent, never> {
  for (let t = 1; ; t++) yield t <= position || t > position + duration ? before.next().value : after.next().value;
}
