# syntax=docker/dockerfile:1
# Portcullis: configured entirely by environment variables (see README, "Configuration").
# Production needs at least SESSION_SECRET (or SESSION_SECRET_FILE).

# --- build: compile the server (dist/) and bundle the browser code and vendor assets (public/build/)
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json tsconfig.client.json ./
COPY scripts ./scripts
COPY src ./src
COPY public ./public
RUN npm run build

# --- deps: production dependencies only. The full image has the compilers better-sqlite3 may need
# when no prebuilt binary fits; the slim runtime below then needs none.
FROM node:24-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# --- runtime
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/public ./public
COPY views ./views
COPY themes ./themes
# DATA_DIR defaults to ./data: the embedded session store lives there, so it must be writable by node.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# No curl in the slim image; node's fetch does the same job.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm start` (a test keeps them equal): see README, "Memory".
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=20", "dist/server.js"]
