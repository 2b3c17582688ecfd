// Four projects: `unit` (pure logic, next to the code), `integration` (real Kafka,
// schema registry and ClickHouse 18.16, under test/), `integration-ch26` (the suites
// that touch ClickHouse, against ClickHouse 26.x through tools/chdb-http) and `cluster`
// (the cluster topology; `npm run test:cluster`). The integration projects bring the
// local stack (the cluster project: the cluster) up themselves when it is not running.
const moduleNameMapper = {
  '^@vigil/(.*)$': '<rootDir>/libs/$1/src',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
// The suites run again on ClickHouse 26.x: every repository method against the server
// (the three repository suites call each one), the documented SQL and its views, the
// ingest path and its crash replay, the checkpoint references and the whole pipeline.
// Suites that reach ClickHouse only through repository methods these already cover
// (monitor/monitor, monitor/catch-up, ingest/isolation, orchestrator/lifecycle) run on
// 18.16 only: on 26.x they would repeat the same statements for ~130 s of CI.
const STORAGE_SUITES = [
  'stack',
  'documented-sql',
  'ingest/ingest',
  'ingest/crash',
  'ingest/ingest-repository',
  'monitor/failover',
  'monitor/monitor-repository',
  'orchestrator/lifecycle-repository',
  'e2e/pipeline',
];

module.exports = {
  // A test that leaves a Kafka client or server open must not keep jest alive (one worker
  // on 2 cores: nothing else would end the run); the reporter names what was left open.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/open-handles-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
      testMatch: ['**/*.spec.ts'],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/global-setup.js',
      globalTeardown: '<rootDir>/test/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.js'],
    },
    {
      // The suites that touch ClickHouse, again on 26.x (chDB behind tools/chdb-http), unchanged.
      // Left out: sdk (no ClickHouse) and ingest/outage (stops a private 18.16 server process).
      displayName: 'integration-ch26',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: STORAGE_SUITES.map((suite) => `<rootDir>/test/${suite}.e2e-spec.ts`),
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/ch26/global-setup.js',
      globalTeardown: '<rootDir>/test/ch26/global-teardown.js',
      setupFiles: ['<rootDir>/test/ch26/use-ch26.js'],
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.js'],
    },
    {
      // The cluster topology (infra/up.sh --cluster, docs/scaling.md): cluster migrations,
      // the documented SQL, the ingest suite's analyst numbers and the monitor suite again,
      // unchanged, on the Distributed tables, and the fault tests (whose kill -9 cases cover
      // the crash replay there, identical blocks included). Run by
      // `npm run test:cluster`, not by `npm test`; brings the cluster up and down itself.
      displayName: 'cluster',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: [
        '<rootDir>/test/cluster/**/*.cluster-spec.ts',
        '<rootDir>/test/documented-sql.e2e-spec.ts',
        '<rootDir>/test/ingest/ingest.e2e-spec.ts',
        '<rootDir>/test/monitor/monitor.e2e-spec.ts',
      ],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/cluster/global-setup.js',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.js'],
    },
  ],
};
