/**
 * The standard drifting-stream generators, ported from River 0.26.1
 * (river/datasets/synth: SEA, STAGGER, Agrawal, Hyperplane, Mixed) draw for draw: given
 * the same sequence of `random()` / `randint()` results each yields River's features and
 * label exactly (generators.spec.ts replays draws recorded from River itself). Class
 * balancing is not ported (River's default, balance_classes=False).
 *
 * A generator is an infinite iterator of { x, y }; `drift.ts` composes them into
 * sudden, gradual, incremental and recurring changes.
 */
import type { StreamRandom } from './random';

export type Features = Record<string, number>;
export interface LabelledEvent {
  x: Features;
  y: number;
}
export type Stream = Iterator<LabelledEvent, never>;

/** SEA (Street & Kim 2001): y = x0 + x1 > θ, θ ∈ {8, 9, 7, 9.5} by variant; labels flipped with probability `noise`. */
/** SEA's noise-free concept of `variant`, for a model that learnt it. */
export const seaConcept =
  (variant: 0 | 1 | 2 | 3) =>
  (x: Features): number =>
    x.x0 + x.x1 > [8, 9, 7, 9.5][variant] ? 1 : 0;

export function* sea(rng: StreamRandom, variant: 0 | 1 | 2 | 3 = 0, noise = 0): Generator<LabelledEvent, never> {
  const threshold = [8, 9, 7, 9.5][variant];
  for (;;) {
    const x0 = 0 + 10 * rng.random();
    const x1 = 0 + 10 * rng.random();
    const x2 = 0 + 10 * rng.random();
    let y = x0 + x1 > threshold;
    if (noise && rng.random() < noise) y = !y;
    yield { x: { x0, x1, x2 }, y: y ? 1 : 0 };
  }
}

const STAGGER_FUNCTIONS: ReadonlyArray<(size: number, color: number, shape: number) => boolean> = [
  (size, color) => size === 0 && color === 0,
  (_size, color, shape) => color === 2 || shape === 0,
  (size) => size === 1 || size === 2,
];

export const staggerConcept =
  (f: 0 | 1 | 2) =>
  (x: Features): number =>
    STAGGER_FUNCTIONS[f](x.size, x.color, x.shape) ? 1 : 0;

/** STAGGER (Schlimmer & Granger 1986): size, color, shape ∈ {0, 1, 2}; three boolean concepts. */
export function* stagger(rng: StreamRandom, classificationFunction: 0 | 1 | 2 = 0): Generator<LabelledEvent, never> {
  const f = STAGGER_FUNCTIONS[classificationFunction];
  for (;;) {
    const size = rng.randint(0, 2);
    const color = rng.randint(0, 2);
    const shape = rng.randint(0, 2);
    yield { x: { size, color, shape }, y: f(size, color, shape) ? 1 : 0 };
  }
}

interface Applicant {
  salary: number;
  commission: number;
  age: number;
  elevel: number;
  car: number;
  zipcode: number;
  hvalue: number;
  hyears: number;
  loan: number;
}

const within = (v: number, lo: number, hi: number) => lo <= v && v <= hi;

/** Agrawal et al. 1993's ten loan functions, as River writes them (function 4's salary ranges included). */
const AGRAWAL_FUNCTIONS: ReadonlyArray<(a: Applicant) => boolean> = [
  (a) => a.age < 40 || 60 <= a.age,
  (a) => (a.age < 40 ? within(a.salary, 50000, 100000) : a.age < 60 ? within(a.salary, 75000, 125000) : within(a.salary, 25000, 75000)),
  (a) => (a.age < 40 ? a.elevel <= 1 : a.age < 60 ? a.elevel >= 1 && a.elevel <= 3 : a.elevel >= 2),
  (a) => {
    if (a.age < 40) return a.elevel <= 1 ? within(a.salary, 25000, 75000) : within(a.salary, 50000, 100000);
    if (a.age < 60) return a.elevel >= 1 && a.elevel <= 3 ? within(a.salary, 50000, 100000) : within(a.salary, 75000, 125000);
    return a.elevel >= 2 ? within(a.salary, 50000, 100000) : within(a.salary, 25000, 75000);
  },
  (a) => {
    if (a.age < 40) return within(a.salary, 50000, 100000) ? within(a.loan, 100000, 300000) : within(a.salary, 200000, 400000);
    if (a.age < 60) return within(a.salary, 75000, 125000) ? 200000 <= a.salary && a.loan <= 400000 : within(a.salary, 300000, 500000);
    return within(a.salary, 25000, 75000) ? within(a.loan, 300000, 500000) : within(a.loan, 75000, 300000);
  },
  (a) => {
    const total = a.salary + a.commission;
    return a.age < 40 ? within(total, 50000, 100000) : a.age < 60 ? within(total, 75000, 125000) : within(total, 25000, 75000);
  },
  (a) => !((2 * (a.salary + a.commission)) / 3 - a.loan / 5 - 20000 > 1),
  (a) => !((2 * (a.salary + a.commission)) / 3 - 5000 * a.elevel - 20000 > 1),
  (a) => !((2 * (a.salary + a.commission)) / 3 - 5000 * a.elevel - a.loan / 5 - 10000 > 1),
  (a) => {
    const equity = a.hyears >= 20 ? (a.hvalue * (a.hyears - 20)) / 10 : 0;
    return !((2 * (a.salary + a.commission)) / 3 - 5000 * a.elevel + equity / 5 - 10000 > 1);
  },
];

export type AgrawalFunction = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export const agrawalConcept =
  (f: AgrawalFunction) =>
  (x: Features): number =>
    AGRAWAL_FUNCTIONS[f](x as unknown as Applicant) ? 1 : 0;

/** Agrawal: nine loan-applicant features, label by one of ten functions; `perturbation` adds River's bounded noise. */
export function* agrawal(rng: StreamRandom, classificationFunction: AgrawalFunction = 0, perturbation = 0): Generator<LabelledEvent, never> {
  const f = AGRAWAL_FUNCTIONS[classificationFunction];
  const perturb = (v: number, lo: number, hi: number, range = hi - lo) => {
    const p = v + range * (2 * (rng.random() - 0.5)) * perturbation;
    return p < lo ? lo : p > hi ? hi : p;
  };
  for (;;) {
    const salary = 20000 + 130000 * rng.random();
    const commission = salary >= 75000 ? 0 : 10000 + 75000 * rng.random();
    const age = rng.randint(20, 80);
    const elevel = rng.randint(0, 4);
    const car = rng.randint(1, 20);
    const zipcode = rng.randint(0, 8);
    const hvalue = (8 - zipcode) * 100000 * (0.5 + rng.random());
    const hyears = rng.randint(1, 30);
    const loan = rng.random() * 500000;
    const a: Applicant = { salary, commission, age, elevel, car, zipcode, hvalue, hyears, loan };
    const y = f(a) ? 1 : 0;
    if (perturbation > 0) {
      a.salary = perturb(salary, 20000, 150000);
      if (commission > 0) a.commission = perturb(commission, 10000, 75000);
      a.age = pyRound(perturb(age, 20, 80));
      a.hvalue = perturb(hvalue, (9 - zipcode) * 100000, 0, 135000);
      a.hyears = pyRound(perturb(hyears, 1, 30));
      a.loan = perturb(loan, 0, 500000);
    }
    yield { x: { ...a }, y };
  }
}

/** Python's round(): half to even. */
function pyRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface HyperplaneOptions {
  nFeatures?: number;
  nDriftFeatures?: number;
  /** Change of each drifting weight per event (incremental drift); 0 = stationary. */
  magChange?: number;
  noisePercentage?: number;
  /** Probability that a drifting weight reverses its direction, per event. */
  sigma?: number;
  /** Events (1-based) before which the weights stay put (not in River: a known onset for incremental drift; the draws are the same). */
  driftFrom?: number;
}

/** Rotating hyperplane (Hulten et al. 2001): y = Σ wᵢxᵢ ≥ ½ Σ wᵢ, the first weights moving by magChange per event. */
export function* hyperplane(rng: StreamRandom, options: HyperplaneOptions = {}): Generator<LabelledEvent, never> {
  const { nFeatures = 10, nDriftFeatures = 2, magChange = 0, noisePercentage = 0.05, sigma = 0.1, driftFrom = 0 } = options;
  const weights = Array.from({ length: nFeatures }, () => rng.random());
  const direction = Array.from({ length: nFeatures }, (_, i) => (i < nDriftFeatures ? 1 : 0));
  for (let t = 1; ; t++) {
    const x: Features = {};
    let sumWeights = 0;
    for (const w of weights) sumWeights += w;
    let sumValue = 0;
    for (let i = 0; i < nFeatures; i++) {
      const v = rng.random();
      x[`x${i}`] = v;
      sumValue += weights[i] * v;
    }
    let y = sumValue >= sumWeights * 0.5 ? 1 : 0;
    if (0.01 + rng.random() <= noisePercentage) y = 1 - y;
    for (let i = 0; i < nDriftFeatures; i++) {
      if (t >= driftFrom) weights[i] += direction[i] * magChange;
      if (0.01 + rng.random() <= sigma) direction[i] *= -1;
    }
    yield { x, y };
  }
}

export const mixedConcept =
  (f: 0 | 1) =>
  (x: Features): number => {
    const z = x.y < 0.5 + 0.3 * Math.sin(3 * Math.PI * x.x);
    const positive = (x.v === 1 && x.w === 1) || (x.v === 1 && z) || (x.w === 1 && z);
    return positive === (f === 1) ? 1 : 0;
  };

/** Mixed (Gama et al. 2004): booleans v, w and uniforms x, y; z = y < 0.5 + 0.3 sin(3πx); function 1 is function 0's opposite. */
export function* mixed(rng: StreamRandom, classificationFunction: 0 | 1 = 0): Generator<LabelledEvent, never> {
  for (;;) {
    const v = rng.random() >= 0.5;
    const w = rng.random() >= 0.5;
    const x = rng.random();
    const y = rng.random();
    const features = { v: v ? 1 : 0, w: w ? 1 : 0, x, y };
    yield { x: features, y: mixedConcept(classificationFunction)(features) };
  }
}
