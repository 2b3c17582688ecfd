import type { ModelConfig } from '../model-config';
import { DataQualityRule } from './data-quality';
import { DatasetDriftRule } from './dataset-drift';
import { DetectorRule } from './detector';
import { EstimatedAccuracyDropRule } from './estimated-accuracy-drop';
import { LatencyRule } from './latency';
import { PerformanceDropRule } from './performance-drop';
import { PerformanceFloorRule } from './performance-floor';

/** The rule families of one model, built from its configuration (and rebuilt when it or the detector's problem changes). */
export class MonitorRules {
  readonly floor: PerformanceFloorRule;
  readonly drop: PerformanceDropRule;
  readonly detector: DetectorRule;
  readonly datasetDrift: DatasetDriftRule;
  readonly dataQuality: DataQualityRule;
  readonly latency: LatencyRule;
  readonly estimatedAccuracy: EstimatedAccuracyDropRule;

  constructor(config: ModelConfig, detectorProblem: string | null) {
    this.floor = new PerformanceFloorRule(config);
    this.drop = new PerformanceDropRule(config);
    this.detector = new DetectorRule(config, detectorProblem);
    this.datasetDrift = new DatasetDriftRule(config);
    this.dataQuality = new DataQualityRule(config);
    this.latency = new LatencyRule(config);
    this.estimatedAccuracy = new EstimatedAccuracyDropRule(config);
  }
}
