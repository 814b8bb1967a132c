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
# Stage 7's Job image (the `schema-move` target) adds the PostgreSQL client of the server's major:
# pg_dump refuses a server newer than itself, and its documentation does not guarantee that a dump
# loads into an older major's server (the restore runs this image's pg_restore), so it is the same
# major, not merely a newer one. PG_CLIENT_IMAGE holds it under /pgclient (a root-filesystem fragment:
# /usr/lib/postgresql/<major>/bin/{pg_dump,pg_restore} and the shared libraries they load); by default
# the `pg-client-debian` stage below, from Debian's postgresql-client-<PG_MAJOR> (the tests build a
# local one: test/ship/support/base-images.ts).
ARG PG_MAJOR=15
ARG PG_CLIENT_IMAGE=pg-client-debian

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

# Debian's postgresql-client-<PG_MAJOR> (bookworm, the default bases' release, carries 15; another major
# needs a BUILD_IMAGE whose Debian carries it or PGDG's apt repository), its two tools and the shared
# libraries they load copied to /pgclient at their merged-/usr paths. Same Debian release as NODE_IMAGE,
# whose glibc they are linked against (bookworm both, by default).
FROM ${BUILD_IMAGE} AS pg-client-debian
ARG PG_MAJOR
RUN apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
 && rm -rf /var/lib/apt/lists/* \
 && bin="/usr/lib/postgresql/${PG_MAJOR}/bin" \
 && mkdir -p "/pgclient${bin}" && cp -L "${bin}/pg_dump" "${bin}/pg_restore" "/pgclient${bin}/" \
 && ldd "${bin}/pg_dump" "${bin}/pg_restore" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' | sort -u \
    | while read -r lib; do \
        dir=$(readlink -f "$(dirname "$lib")"); mkdir -p "/pgclient${dir}"; cp -L "$lib" "/pgclient${dir}/" || exit 1; \
      done

FROM ${PG_CLIENT_IMAGE} AS pg-client

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

# Stage 7's Job image (examples/stages/stage-7-database.yaml, spec.database.job.image): the user
# service's runtime (any deployable's carries nova-schema-move through @nova/wiring) plus the
# PostgreSQL client for the backup step. A target of its own, not the client in every deployable's
# base: the services never run pg_dump, so their pods stay without it (17 MB of binaries and
# libraries: libpq, OpenSSL, Kerberos, LDAP, GnuTLS; measured from this machine's bookworm packages;
# test/ship/images.test.ts checks no deployable's image has it), and this image is pulled only while
# a migration runs.
#   docker build --target schema-move --build-arg WORKSPACE=services/user-service \
#     --build-arg DEPLOYABLE=user-service --build-arg PG_MAJOR=15 -t nova/schema-move .
FROM runtime AS schema-move
COPY --from=pg-client /pgclient/ /
LABEL org.opencontainers.image.title="schema-move" \
      org.opencontainers.image.description="Nova stage 7's Job image: nova-schema-move and the PostgreSQL client"
ENTRYPOINT ["node", "/app/node_modules/@nova/schema-move/dist/cli.js"]

# The default target (the last stage): the deployable's image.
FROM runtime
