# Upshift image: one image for every role (bot, worker, all, check, sandbox, demo).
#   docker build -t upshift:0.1.0 .
#   docker run --rm upshift:0.1.0 check --help
# Everything the process needs is in the image: nothing is downloaded at start (a start that
# downloads is what INCIDENTS case 1 is made of).

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so source edits reuse this layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The build copies the files the code reads beside itself (Lua scripts, scenario YAML) into dist/.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the runtime user: the app cannot modify its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# A numeric user that exists in no image file: runAsNonRoot can verify it, and the root filesystem can be read-only.
USER 10001:10001
EXPOSE 3000
# For plain Docker; Kubernetes uses its own probes (deploy/kubernetes). /healthz never depends on Redis.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/upshift.js"]
CMD ["all"]
