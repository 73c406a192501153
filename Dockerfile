# syntax=docker/dockerfile:1
#
# Dutybook image: one image for the api (default CMD) and the worker
# (`node dist/apps/worker/main.js`). See docs/operations.md.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- base: Node 24 LTS with the npm the lockfile and the allowScripts policy are written for ----
FROM ${NODE_IMAGE} AS base
# Pinned npm 11: it reads the install-script policy (package.json#allowScripts) from the
# package.json at the project root, which is copied before each `npm ci` below. No compiler is
# needed: every native dependency (@node-rs/argon2, embedded Postgres) ships a prebuilt binary.
RUN npm install --global npm@11.19.1 && npm cache clean --force
# Belt and braces for npm versions that ignore the policy.
ENV SCARF_ANALYTICS=false
WORKDIR /app

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# ---- runtime: production dependencies, compiled code, catalog seeds; non-root ----
FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/dutybook
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY seeds ./seeds
# Code stays root-owned (read-only to the app); only DATA_DIR is writable. The `node` user
# (uid 1000) comes with the base image.
RUN mkdir -p /var/lib/dutybook && chown node:node /var/lib/dutybook && chmod 700 /var/lib/dutybook
USER node
EXPOSE 3000
# No curl in the slim image: Node's fetch. 200 only when the database answers and no
# migration is pending. A worker container has no HTTP port: disable this check for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/api/main.js"]
