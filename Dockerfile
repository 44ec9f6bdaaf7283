# syntax=docker/dockerfile:1
# The same install and start steps as .ci/run and `npm start`: npm ci (which skips
# onnxruntime's CUDA download through .npmrc), tsc, then node dist/main.js.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HEALTH_PORT=8080 \
    MODELS_DIR=/app/models \
    STORE_URL=sqlite:///app/data/index.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json .env.example ./
RUN mkdir -p models data && chown -R node:node models data
USER node
# Downloaded weights and the index live outside the image.
VOLUME ["/app/models", "/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10m --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
