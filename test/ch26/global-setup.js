// Project `integration-ch26`: the storage-touching suites again, with ClickHouse 26.x
// (the chDB engine behind tools/chdb-http) instead of the 18.16 server. Brings the rest of
// the stack up like the `integration` project, then starts one adapter for the whole run.
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const stackSetup = require('../global-setup');

const repo = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 60_000; // chDB loads in ~1 s here; generous for 2 busy cores

module.exports = async () => {
  await stackSetup();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'tools/chdb-http/src/main.ts'], {
    cwd: repo,
    env: {
      ...process.env,
      CHDB_HTTP_PORT: '0',
      CHDB_HTTP_USER: process.env.CLICKHOUSE_USER || 'default',
      CHDB_HTTP_PASSWORD: process.env.CLICKHOUSE_PASSWORD || '',
      CHDB_HTTP_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  globalThis.__VIGIL_CHDB_HTTP__ = child;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chdb-http did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`chdb-http exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.message === 'listening') {
        clearTimeout(timer);
        resolve(event.url);
      }
    });
  });
  // The run must not wait for the adapter (global-teardown stops it), and the open-handles
  // report should name only what tests leave open.
  child.unref();
  child.stdout.unref();
  process.env.VIGIL_CH26_CLICKHOUSE_URL = url;
  console.log(`\n[integration-ch26] ClickHouse 26.x (chDB) at ${url}`);
};
