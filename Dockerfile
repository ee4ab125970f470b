# The connector (CLI, worker and RCP simulator) as one image: compiled once in a build stage, shipped
# as JavaScript (dist/) with the production dependencies only; no TypeScript at run time.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY connector ./connector
COPY mappings ./mappings
COPY jobs ./jobs
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# A bounded heap keeps memory flat at 100,000 clients (see the README's benchmark); raise it for more.
ENV NODE_OPTIONS=--max-old-space-size=256
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin/rcp-odoo.mjs ./bin/rcp-odoo.mjs
COPY --from=build /src/dist ./dist
USER node
ENTRYPOINT ["node", "bin/rcp-odoo.mjs"]
CMD ["worker"]
