// Stops the adapter global-setup started, then whatever part of the stack it started.
const stackTeardown = require('../global-teardown');

module.exports = async () => {
  const child = globalThis.__VIGIL_CHDB_HTTP__;
  if (child && child.exitCode === null) {
    // global-setup unref'd it; without ref() node would not wait for its exit and end the
    // run here, with exit code 0 and no summary.
    child.ref();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await stackTeardown();
};
