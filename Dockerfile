# One image for every Vigil service; docker-compose picks the app with APP.
FROM node:20-bookworm-slim
WORKDIR /vigil
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY bench bench
COPY bin bin
COPY schemas schemas
COPY config config
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENV HTTP_HOST=0.0.0.0 APP=ingestor
CMD ["sh", "-c", "node -r ./bin/register-paths.js dist/apps/$APP/src/main.js"]
