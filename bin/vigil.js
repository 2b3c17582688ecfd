#!/usr/bin/env node
// The `vigil` command: runs the compiled CLI (npm run build, done by npm ci/install).
require('./register-paths');
process.exitCode = require('../dist/apps/cli/src/main').main(process.argv.slice(2));
