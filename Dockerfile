# syntax=docker/dockerfile:1
# One image for every Evergreen process (docs/deploying.md):
#   app server (default)   node server.js          Next's standalone server, port 3000
#   worker                 npm run worker          the background jobs, with BACKGROUND_JOBS=off on the app servers
#   migrate (one-shot)     npm run db:deploy       with MIGRATE_ON_START=false on the others
# SQLite lives on the /app/data volume unless DATABASE_URL names PostgreSQL.

ARG NODE_VERSION=20

# Every dependency, for the build. npm ci's postinstall generates both Prisma clients from the schemas.
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json prisma.config.ts prisma.pg.config.ts ./
COPY prisma ./prisma
RUN npm ci

FROM deps AS build
# Names this build to the servers that run it (Next.js reads it); every container of the image shares it.
ARG NEXT_DEPLOYMENT_ID=""
ENV EVERGREEN_STANDALONE=1 NEXT_DEPLOYMENT_ID=${NEXT_DEPLOYMENT_ID}
COPY . .
RUN npm run build

# What runs: production dependencies only. The worker and db:deploy run TypeScript through tsx, so the
# whole production set is kept rather than the standalone output's traced subset; better-sqlite3 is
# compiled here, where a compiler is installed.
FROM node:${NODE_VERSION}-bookworm AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 KEEP_ALIVE_TIMEOUT=120000
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/.next/standalone/server.js ./server.js
COPY --from=build /app/.next/standalone/.next ./.next
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/lib ./lib
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
# The node image's unprivileged user owns only the data folder; the code stays root's, read-only to it.
RUN mkdir -p data && chown node:node data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
