// Stops the cluster topology only if global-setup started it.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  if (process.env.VIGIL_TEST_STARTED_CLUSTER === '1') {
    execFileSync('bash', [join(__dirname, '..', '..', 'infra/down.sh')], {
      env: { ...process.env, VIGIL_TOPOLOGY: 'cluster' },
      stdio: 'inherit',
    });
  }
  process.env.VIGIL_TEST_STARTED_CLUSTER = '';
};
