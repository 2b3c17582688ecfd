// Brings the local stack up for the integration tests when it is not already running,
// and remembers whether it did so that global-teardown stops exactly what was started.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

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

module.exports = async () => {
  // Both integration projects call this; the first call decides who stops the stack.
  if (process.env.VIGIL_TEST_STARTED_STACK !== undefined) return;
  if (stackAnswers()) {
    process.env.VIGIL_TEST_STARTED_STACK = '';
    return;
  }
  execFileSync('bash', [join(repo, 'infra/up.sh')], { cwd: repo, stdio: 'inherit' });
  process.env.VIGIL_TEST_STARTED_STACK = '1';
};
