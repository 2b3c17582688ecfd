export { LifecyclePolicyEngine, ModelDraft } from './lifecycle-policy-engine';
export { eventIdOf, modelIdOf } from './lifecycle-events';
export type { ClosedIncident, Decision, DecisionOutcome, EngineResult, LifecycleEvent, LifecycleRequest } from './lifecycle-events';
export { championAt, previousChampion } from './champion';
export { incidentIdFor, requestEventIdFor, type LifecycleAction } from './identity';
export { BUILTIN_POLICY, parsePolicyFile, policyOverrideSchema, resolvePolicy, type LifecyclePolicy, type PolicyFile, type PolicyOverride, type ResolvedPolicy } from './policy';
export { emptyModelState, storedModelState, type DeploymentRecord, type IncidentRecord, type ModelState } from './state';
export { chooseLeaseHolder, decodeLeaseClaim, encodeLeaseClaim, type LeaseCandidate, type LeaseClaim } from './lease';
