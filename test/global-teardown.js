// Stops the stack only when global-setup started it; a stack the developer runs stays up.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  if (process.env.VIGIL_TEST_STARTED_STACK === '1') {
    execFileSync('bash', [join(__dirname, '..', 'infra/down.sh')], { stdio: 'inherit' });
    process.env.VIGIL_TEST_STARTED_STACK = '';
  }
};
