# syntax=docker/dockerfile:1
# One image per deployable workspace (the ones whose package.json has a "nova" field):
#   docker build --build-arg WORKSPACE=services/user-service --build-arg DEPLOYABLE=user-service \
#     --build-arg PORT=8101 -t nova/user-service .
# One parameterised Dockerfile rather than one per deployable: every deployable is built the same
# way (npm workspace, `dist/main.js`), so a new service needs no new file, and the build stage,
# which does not depend on WORKSPACE, is one cached layer shared by every image.
#
# NODE_IMAGE is the runtime base, BUILD_IMAGE the build stages' (the official Node 24 image by
# default for both; the tests build local ones: test/ship/support/base-images.ts). The runtime base
# needs nothing but `node` on PATH; the build stages need npm and a POSIX shell with coreutils,
# findutils, sed and bash.
ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim
ARG BUILD_IMAGE=docker.io/library/node:24-bookworm-slim

# Only the npm manifests (the root's and those of its workspaces: the paths below follow the root
# package.json's "workspaces"), so the dependency layers are rebuilt only when one changes.
FROM ${BUILD_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find . -maxdepth 3 \( -path './packages/*/package.json' -o -path './operator/package.json' \
      -o -path './services/*/package.json' \) -exec cp --parents {} /manifests/ \;

# Every workspace compiled once (codegen, then tsc -b): independent of WORKSPACE, so shared.
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
ENV NOVA_CACHE_DIR=/tmp/nova-cache CI=true NPM_CONFIG_UPDATE_NOTIFIER=false
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN bash scripts/setup.d/40-codegen.sh \
 && node_modules/.bin/tsc -b tsconfig.build.json \
 && mkdir -p /out \
 && for dir in packages/* operator services/*; do \
      [ -d "$dir/dist" ] || continue; \
      mkdir -p "/out/$dir" && cp -a "$dir/dist" "/out/$dir/"; \
      if [ -d "$dir/prisma" ]; then cp -a "$dir/prisma" "/out/$dir/"; fi; \
    done

# The deployable's production dependencies only, and the compiled workspaces npm linked for it.
FROM ${BUILD_IMAGE} AS production
ARG WORKSPACE
RUN test -n "${WORKSPACE}" || { echo "--build-arg WORKSPACE=<workspace folder> is required" >&2; exit 1; }
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=manifests /manifests/ ./
# --omit=optional too: @prisma/client's optional peers (the prisma CLI, typescript) are marked
# dev-and-optional in the lockfile, which --omit=dev alone still installs (~85 packages: react,
# effect, mysql2, ... nothing the services run). The only runtime optional left out is
# pg-cloudflare, for Cloudflare Workers.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts --workspace="${WORKSPACE}"
COPY --from=build /out/ /compiled/
RUN mkdir -p /image && cp -a package.json node_modules /image/ \
 && for link in node_modules/@nova/*; do \
      [ -L "$link" ] || continue; \
      dir=$(readlink -f "$link"); dir=${dir#/app/}; \
      test -d "/compiled/$dir/dist" || { echo "$dir has no dist/: is it in tsconfig.build.json?" >&2; exit 1; }; \
      mkdir -p "/image/$dir" && cp -a "$dir/package.json" "/compiled/$dir/." "/image/$dir/"; \
      if [ -d "$dir/node_modules" ]; then cp -a "$dir/node_modules" "/image/$dir/"; fi; \
    done \
 && test -f "/image/${WORKSPACE}/dist/main.js"

# `skaffold dev` (the dev profile): the build stage with its dev dependencies, recompiling synced
# TypeScript sources and restarting the process on every change.
FROM build AS dev
ARG WORKSPACE
ENV NOVA_DEV_WORKSPACE=${WORKSPACE} NODE_ENV=development
RUN find /app -path /app/node_modules -prune -o -exec chown 1000:1000 {} +
USER 1000:1000
WORKDIR /app
CMD ["node", "scripts/image/dev.mjs"]

FROM ${NODE_IMAGE} AS runtime
ARG WORKSPACE
ARG DEPLOYABLE=${WORKSPACE}
ARG PORT=8080
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG NODE_IMAGE
LABEL org.opencontainers.image.title="${DEPLOYABLE}" \
      org.opencontainers.image.description="Nova ${DEPLOYABLE} (npm workspace ${WORKSPACE})" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}" \
      org.opencontainers.image.vendor="Nova" \
      io.novabot.workspace="${WORKSPACE}"
ENV NODE_ENV=production
COPY --from=production /image/ /app/
WORKDIR /app/${WORKSPACE}
# Numeric, so Kubernetes' runAsNonRoot can verify it (the official image's `node` user is 1000).
USER 1000:1000
EXPOSE ${PORT}
ENTRYPOINT ["node", "dist/main.js"]
