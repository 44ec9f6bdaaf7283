# syntax=docker/dockerfile:1
# Two stages. build: the same install and build as .ci/run and `npm start` (npm ci, then tsc).
# runtime: only production dependencies and the compiled code, no compiler toolchain and no
# onnxruntime binaries for other platforms, run as the unprivileged `node` user.
# test/dockerImage.test.ts holds these claims against .ci/run and package.json.

# The exact Node release the test suite runs on (package.json devDependencies.node).
FROM node:26.10.0-trixie-slim AS build
WORKDIR /app
# .npmrc (as for every npm ci of the project) keeps onnxruntime-node from downloading CUDA
# libraries; the variable, read by onnxruntime's own install script, says the same for good measure.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev
# onnxruntime-node ships binaries for every platform (about 245 MB of its 288 MB); keep this one.
RUN keep="$(node -p 'process.platform + "/" + process.arch')" \
 && cd node_modules/onnxruntime-node/bin/napi-v6 \
 && for dir in */*; do [ "$dir" = "$keep" ] || rm -rf "$dir"; done \
 && [ -d "$keep" ]

FROM node:26.10.0-trixie-slim AS runtime
ENV NODE_ENV=production \
    HEALTH_PORT=8080 \
    MODELS_DIR=/app/models \
    STORE_URL=sqlite:///app/data/index.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json .env.example ./
RUN mkdir -p models data && chown node:node models data
USER node
# Downloaded weights and the index live outside the image.
VOLUME ["/app/models", "/app/data"]
EXPOSE 8080
# /healthz answers 200 only once the model is loaded, and the first start downloads it (about
# 300 MB): failures in the first 30 minutes do not count, and the first success ends that period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30m --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# What `npm start` runs once the build is current.
CMD ["node", "dist/main.js"]
