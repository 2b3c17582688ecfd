// Brings the integration tests' servers up, and remembers what it started so that
// global-teardown stops exactly that. VIGIL_TEST_STACK (tools/test-stack/src/selection.ts,
// README "Tests") chooses: `native` (default) uses the local stack of infra/up.sh, started
// when it does not already answer; `containers` starts them from images through
// testcontainers and exports where they listen; `auto` takes containers when a Docker
// engine answers, else native.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { selectTestStack } = require('../tools/test-stack/src/selection.ts');

const repo = join(__dirname, '..');

function stackAnswers() {
  try {
    execFileSync('bash', ['-c', 'source infra/lib.sh && kafka_ready && registry_ready && clickhouse_ready'], {
      cwd: repo,
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

async function probeDocker() {
  // Loaded only when the choice depends on it: testcontainers is not needed for `native`.
  return require('../tools/test-stack/src/containers.ts').probeDocker();
}

module.exports = async () => {
  // Both integration projects call this; the first call decides who stops the stack.
  if (process.env.VIGIL_TEST_STARTED_STACK !== undefined) return;
  const choice = await selectTestStack(process.env.VIGIL_TEST_STACK, probeDocker);
  console.log(`\n[test-stack] ${choice.why}`);
  // Read by native-only suites (test/support/native-stack.ts) to skip with a message.
  process.env.VIGIL_TEST_STACK_SELECTED = choice.stack;
  if (choice.stack === 'containers') {
    const { startContainerStack } = require('../tools/test-stack/src/containers.ts');
    const stack = await startContainerStack();
    globalThis.__VIGIL_TEST_CONTAINERS__ = stack;
    // Jest's workers and the services tests spawn inherit these.
    Object.assign(process.env, stack.env);
    console.log(`[test-stack] Kafka ${stack.env.KAFKA_BROKERS}, registry ${stack.env.SCHEMA_REGISTRY_URL}, ClickHouse ${stack.env.CLICKHOUSE_URL}`);
    process.env.VIGIL_TEST_STARTED_STACK = 'containers';
    return;
  }
  if (stackAnswers()) {
    process.env.VIGIL_TEST_STARTED_STACK = '';
    return;
  }
  execFileSync('bash', [join(repo, 'infra/up.sh')], { cwd: repo, stdio: 'inherit' });
  process.env.VIGIL_TEST_STARTED_STACK = '1';
};
