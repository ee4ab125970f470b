# The connector (CLI, worker and RCP simulator) as one image. TypeScript runs through tsx: no build step.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# A bounded heap keeps memory flat at 100,000 clients (see the README's benchmark); raise it for more.
ENV NODE_OPTIONS=--max-old-space-size=256
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY connector ./connector
COPY mappings ./mappings
COPY jobs ./jobs
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "bin/rcp-odoo.mjs"]
CMD ["worker"]
