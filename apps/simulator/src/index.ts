export { runSimulation, systemClock } from './simulation';
export type {
  SimulationOptions,
  SimulationSink,
  SimulationHooks,
  SimulationStats,
  SimulationProgress,
  ModelStats,
  PhaseQuality,
  MalformedSink,
  Clock,
} from './simulation';
export { generateTraffic, resolveModels, MALFORMED_KINDS, REFERENCE_VERSION, BAD_VERSION } from './traffic';
export type { TrafficOptions, TrafficStep, PredictionStep, MalformedStep, DeploymentStep, MalformedKind } from './traffic';
export { SCENARIOS, SPIKE_LATENCY_FACTOR, conditionsAt, parseScenarios } from './scenarios';
export type { Scenario, ScenarioSettings, Conditions } from './scenarios';
export { MODELS, cardFraud, basketValue } from './models';
export type { SimulatedModel, SimulatedOutcome } from './models';
export { Random } from './random';
export { KafkaMalformedSink, malformedBytes, UNKNOWN_SCHEMA_ID } from './malformed';
export { parseSimulatorArgs, USAGE, type SimulatorArguments } from './options';
