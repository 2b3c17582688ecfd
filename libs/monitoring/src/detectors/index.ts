export type { ChangeDetector } from './change-detector';
export { Adwin, ADWIN_DEFAULTS } from './adwin';
export type { AdwinParams } from './adwin';
export { PageHinkley, PAGE_HINKLEY_DEFAULTS } from './page-hinkley';
export type { PageHinkleyParams, PageHinkleyMode } from './page-hinkley';
export { Ddm, DDM_DEFAULTS } from './ddm';
export type { DdmParams } from './ddm';
export { Eddm, EDDM_DEFAULTS } from './eddm';
export type { EddmParams } from './eddm';
export { HddmA, HDDM_A_DEFAULTS } from './hddm-a';
export type { HddmAParams } from './hddm-a';
export { HddmW, HDDM_W_DEFAULTS } from './hddm-w';
export type { HddmWParams } from './hddm-w';
export {
  DETECTOR_NAMES,
  DETECTORS,
  UnknownDetectorError,
  InvalidDetectorParamError,
  isDetectorName,
  detectorDefinition,
  canonicalParamName,
  validateDetectorParams,
  createDetector,
  checkDetectorConfig,
  DetectorConfigError,
} from './registry';
export type { DetectorName, DetectorDefinition, DetectorInput, DetectorParams, DetectorParamValue } from './registry';
