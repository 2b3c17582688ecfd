import { Task } from '@vigil/contracts';
import { blendWeights, Random } from './random';
import { Conditions } from './scenarios';

/** One request as the simulated world produced it: features, the model's answer and the truth. */
export interface SimulatedOutcome {
  numericFeatures: Record<string, number>;
  categoricalFeatures: Record<string, string>;
  predictedClass: string | null;
  scores: Record<string, number>;
  predictedValue: number | null;
  trueClass: string | null;
  trueValue: number | null;
  tags: Record<string, string>;
}

/**
 * A model in production and the process generating its ground truth. The serving model
 * is a fixed function of the features, so its accuracy follows from the generating
 * process: exact for the reference world, worse after concept drift or a bad version.
 */
export interface SimulatedModel {
  modelId: string;
  task: Task;
  /** Median serving latency in ms. */
  medianLatencyMs: number;
  /**
   * Draws one request. The number of uniforms drawn never depends on the conditions,
   * so two runs with one seed see the same features whatever their scenario.
   */
  draw(random: Random, conditions: Conditions): SimulatedOutcome;
}

export const COUNTRIES = ['FR', 'DE', 'GB', 'ES', 'IT', 'US'] as const;
const COUNTRY_WEIGHTS = [0.35, 0.2, 0.15, 0.1, 0.1, 0.1];
const COUNTRY_WEIGHTS_SHIFTED = [0.25, 0.15, 0.1, 0.1, 0.1, 0.3];

export const MERCHANT_CATEGORIES = ['grocery', 'restaurant', 'fuel', 'online_retail', 'travel', 'electronics', 'gambling', 'jewelry'] as const;
const MERCHANT_WEIGHTS = [0.3, 0.18, 0.12, 0.18, 0.07, 0.08, 0.04, 0.03];
const MERCHANT_WEIGHTS_SHIFTED = [0.15, 0.12, 0.08, 0.35, 0.07, 0.15, 0.05, 0.03];
const RISKY_MERCHANTS = new Set(['electronics', 'gambling', 'jewelry']);

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Daytime-heavy traffic: weight 1 at night rising to 4 around 13:00. */
const HOUR_WEIGHTS = HOURS.map((h) => 1 + 3 * Math.exp(-((h - 13) ** 2) / 18));

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The reference fraud process: the v1 model learned exactly this logit. */
export const CARD_FRAUD_AMOUNT_MU = 3.6;
const FRAUD_AMOUNT_MU_SHIFT = 0.9;
const DISTANCE_MU = 2.0;
const DISTANCE_MU_SHIFT = 1.0;

/**
 * `uncertain-shift`: requests move to the serving model's decision boundary, with less
 * spread in amount and distance. For the reference model: risky merchants (+2.6 on the
 * logit) at a log-amount 0.67 above its mean, so −3.6 + 2.6 + 1.5 · 0.67 ≈ 0; for the
 * retrained one: online retail (+1.8) from the US or GB (+1.0) at a log-amount 0.44 above
 * the mean, so −2.4 + 2.8 − 0.9 · 0.44 ≈ 0.
 */
interface Boundary {
  amountMuShift: number;
  merchants: readonly number[];
  countries: readonly number[];
}
const BOUNDARY_REFERENCE: Boundary = { amountMuShift: 0.67, merchants: [0.01, 0.01, 0.01, 0.01, 0.01, 0.45, 0.25, 0.25], countries: COUNTRY_WEIGHTS };
const BOUNDARY_RETRAINED: Boundary = { amountMuShift: 0.44, merchants: [0.02, 0.02, 0.02, 0.88, 0.02, 0.02, 0.01, 0.01], countries: [0.01, 0.01, 0.48, 0.01, 0.01, 0.48] };
/** Log-scale spread of amount and distance at the boundary (1.0 and 1.1 otherwise). */
const BOUNDARY_SIGMA = 0.3;

interface CardRequest {
  amount: number;
  merchant: string;
  country: string;
  hour: number;
  cardAgeDays: number;
  distanceKm: number;
}

function referenceFraudLogit(r: CardRequest): number {
  return (
    -3.6 +
    1.5 * (Math.log(r.amount) - CARD_FRAUD_AMOUNT_MU) +
    2.6 * (RISKY_MERCHANTS.has(r.merchant) ? 1 : 0) +
    2.0 * (r.hour < 6 ? 1 : 0) +
    1.0 * (Math.log1p(r.distanceKm) - DISTANCE_MU) +
    1.6 * (r.cardAgeDays < 30 ? 1 : 0)
  );
}

/** After concept drift fraudsters test cards with small online purchases from abroad. */
function driftedFraudLogit(r: CardRequest): number {
  return -2.4 - 0.9 * (Math.log(r.amount) - CARD_FRAUD_AMOUNT_MU) + 1.8 * (r.merchant === 'online_retail' ? 1 : 0) + 1.0 * (r.country === 'US' || r.country === 'GB' ? 1 : 0);
}

/** The badly trained version: it learned the amount effect backwards and flags far too much. */
function badFraudLogit(r: CardRequest): number {
  return 0.4 - 0.8 * (Math.log(r.amount) - CARD_FRAUD_AMOUNT_MU) - 1.0 * (RISKY_MERCHANTS.has(r.merchant) ? 1 : 0);
}

export const cardFraud: SimulatedModel = {
  modelId: 'card-fraud',
  task: 'CLASSIFICATION',
  medianLatencyMs: 8,
  draw(random, c) {
    const boundary = c.uncertainShift ? (c.retrained ? BOUNDARY_RETRAINED : BOUNDARY_REFERENCE) : null;
    const request: CardRequest = {
      amount: random.lognormal(CARD_FRAUD_AMOUNT_MU + (boundary ? boundary.amountMuShift : FRAUD_AMOUNT_MU_SHIFT * c.featureShift), boundary ? BOUNDARY_SIGMA : 1.0),
      merchant: random.categorical(MERCHANT_CATEGORIES, boundary?.merchants ?? blendWeights(MERCHANT_WEIGHTS, MERCHANT_WEIGHTS_SHIFTED, c.featureShift)),
      country: random.categorical(COUNTRIES, boundary?.countries ?? blendWeights(COUNTRY_WEIGHTS, COUNTRY_WEIGHTS_SHIFTED, c.featureShift)),
      hour: random.categorical(HOURS, HOUR_WEIGHTS),
      cardAgeDays: Math.floor(random.exponential(700)),
      distanceKm: random.lognormal(DISTANCE_MU + DISTANCE_MU_SHIFT * c.featureShift, boundary ? BOUNDARY_SIGMA : 1.1),
    };
    const truthLogit = c.conceptShift > 0 ? driftedFraudLogit(request) : referenceFraudLogit(request);
    const isFraud = random.bernoulli(sigmoid(truthLogit));
    const servingLogit = c.retrained ? driftedFraudLogit(request) : referenceFraudLogit(request);
    const score = sigmoid(c.badVersion ? badFraudLogit(request) : servingLogit);
    const round = (x: number) => Math.round(x * 1e4) / 1e4;
    return {
      numericFeatures: {
        amount: Math.round(request.amount * 100) / 100,
        hour: request.hour,
        card_age_days: request.cardAgeDays,
        distance_km: Math.round(request.distanceKm * 10) / 10,
      },
      categoricalFeatures: { merchant_category: request.merchant, country: request.country },
      predictedClass: score >= 0.5 ? 'fraud' : 'legit',
      scores: { fraud: round(score), legit: round(1 - score) },
      predictedValue: null,
      trueClass: isFraud ? 'fraud' : 'legit',
      trueValue: null,
      tags: { country: request.country },
    };
  },
};

const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
const DEVICE_WEIGHTS = [0.55, 0.35, 0.1];
const DEVICE_WEIGHTS_SHIFTED = [0.8, 0.15, 0.05];
const BASKET_NOISE_SD = 6;

/** Expected basket value in the reference world; the v1 model predicts exactly this. */
function referenceBasket(items: number, sessionMinutes: number, device: string): number {
  return 8 + 14 * items + 1.2 * sessionMinutes + (device === 'desktop' ? 5 : 0);
}

/** After concept drift prices rose: each item is worth 22 instead of 14. */
function driftedBasket(items: number, sessionMinutes: number, device: string): number {
  return 8 + 22 * items + 1.2 * sessionMinutes + (device === 'desktop' ? 5 : 0);
}

export const basketValue: SimulatedModel = {
  modelId: 'basket-value',
  task: 'REGRESSION',
  medianLatencyMs: 3,
  draw(random, c) {
    const items = 1 + Math.floor(random.exponential(2.5 + 2.0 * c.featureShift));
    const sessionMinutes = random.lognormal(1.8 + 0.5 * c.featureShift, 0.6);
    const visits = Math.floor(random.exponential(4));
    const device = random.categorical(DEVICES, blendWeights(DEVICE_WEIGHTS, DEVICE_WEIGHTS_SHIFTED, c.featureShift));
    const country = random.categorical(COUNTRIES, blendWeights(COUNTRY_WEIGHTS, COUNTRY_WEIGHTS_SHIFTED, c.featureShift));
    const hour = random.categorical(HOURS, HOUR_WEIGHTS);
    const expected = c.conceptShift > 0 ? driftedBasket(items, sessionMinutes, device) : referenceBasket(items, sessionMinutes, device);
    const truth = Math.max(0, expected + random.normal(0, BASKET_NOISE_SD));
    const serving = c.retrained ? driftedBasket(items, sessionMinutes, device) : referenceBasket(items, sessionMinutes, device);
    // The bad version halves every prediction: a unit bug in its feature pipeline.
    const predicted = c.badVersion ? 0.5 * serving : serving;
    const cents = (x: number) => Math.round(x * 100) / 100;
    return {
      numericFeatures: { items_in_cart: items, session_minutes: cents(sessionMinutes), visits_30d: visits, hour },
      categoricalFeatures: { device, country },
      predictedClass: null,
      scores: {},
      predictedValue: cents(predicted),
      trueClass: null,
      trueValue: cents(truth),
      tags: { country, device },
    };
  },
};

export const MODELS: Record<string, SimulatedModel> = { [cardFraud.modelId]: cardFraud, [basketValue.modelId]: basketValue };
