// Stops only what global-setup started: the native stack if it brought it up, or the
// containers; a stack the developer runs stays up.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  if (process.env.VIGIL_TEST_STARTED_STACK === '1') {
    execFileSync('bash', [join(__dirname, '..', 'infra/down.sh')], { stdio: 'inherit' });
  }
  const containers = globalThis.__VIGIL_TEST_CONTAINERS__;
  if (containers) {
    globalThis.__VIGIL_TEST_CONTAINERS__ = undefined;
    await containers.stop();
  }
  process.env.VIGIL_TEST_STARTED_STACK = '';
};
