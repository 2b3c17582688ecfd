// Resolves the @vigil/<lib> aliases of compiled code in dist/ (tsc keeps them as written).
const { join } = require('node:path');
const tsconfigPaths = require('tsconfig-paths');

tsconfigPaths.register({
  baseUrl: join(__dirname, '..', 'dist'),
  paths: { '@vigil/*': ['libs/*/src'] },
});
