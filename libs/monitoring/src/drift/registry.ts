/**
 * The registry of drift tests. Each test is declared once (its own file under
 * `tests/`) and registered here by one line; the default-test rule, the column
 * and dataset drift functions, the CLI and the docs all read this registry.
 *
 * To add a test: write `tests/my-test.ts` exporting a `DriftTestDefinition`,
 * add it to `DRIFT_TESTS` below.
 */
import { chiSquareTest } from './tests/chi-square';
import { hellingerTest } from './tests/hellinger';
import { jensenShannonTest } from './tests/jensen-shannon';
import { ksTest } from './tests/ks';
import { psiTest } from './tests/psi';
import { wassersteinTest } from './tests/wasserstein';
import { zTest } from './tests/z-test';
import type { ColumnKind } from './summary';
import type { DriftTestDefinition } from './types';

const DRIFT_TESTS: readonly DriftTestDefinition[] = [ksTest, wassersteinTest, psiTest, jensenShannonTest, hellingerTest, chiSquareTest, zTest];

const BY_NAME = new Map(DRIFT_TESTS.map((t) => [t.name, t]));

export class UnknownDriftTestError extends Error {
  constructor(readonly testName: string) {
    super(`unknown drift test '${testName}'; known tests: ${[...BY_NAME.keys()].join(', ')}`);
    this.name = 'UnknownDriftTestError';
  }
}

export class DriftTestColumnKindError extends Error {
  constructor(
    readonly testName: string,
    readonly kind: ColumnKind,
  ) {
    super(`drift test '${testName}' does not accept ${kind} columns`);
    this.name = 'DriftTestColumnKindError';
  }
}

export function listDriftTests(): readonly DriftTestDefinition[] {
  return DRIFT_TESTS;
}

/** The test registered under `name`, checked against the column kind when given. */
export function getDriftTest(name: string, kind?: ColumnKind): DriftTestDefinition {
  const test = BY_NAME.get(name);
  if (!test) throw new UnknownDriftTestError(name);
  if (kind && !test.columnKinds.includes(kind)) throw new DriftTestColumnKindError(name, kind);
  return test;
}
