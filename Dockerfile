# msgwatch in a container, on Debian 12. The build stage prepares and builds exactly as the
# test command does (scripts/setup.sh --build-only, scripts/lib.sh's configure_build), with
# the tests switched off, and makes the Debian package; the runtime stage installs that
# package, so the image has the package's dependencies, example configuration, dashboards
# and alert rules, and runs the daemon as an unprivileged user. Built and run in CI by
# tests/packaging/image_test.sh.
#   podman build --network host --format docker -t msgwatch .     (or: docker build -t msgwatch .)
#   podman run --network host -v "$PWD/msgwatch.yml:/etc/msgwatch/msgwatch.yml:ro" msgwatch
# The health check asks /-/healthy over plain HTTP on port 9440: with TLS or basic auth on the
# endpoints (--web.config.file), replace it.
FROM debian:12-slim AS build
# Compiles cached in /ccache: empty unless the build mounts a cache there, as image_test.sh
# mounts the test command's.
ENV CCACHE_DIR=/ccache
COPY scripts/ /src/scripts/
RUN bash /src/scripts/setup.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . /src
# SRC: the path the sources are built at (image_test.sh gives the checkout's own, so that the
# objects are those of the test command's build: same path, same objects). It appears only in
# this step, whose cache key includes the build arguments: a COPY to a path made of an argument
# is reused by podman's layer cache after a build with another value.
ARG SRC=/src
ARG MSGWATCH_REVISION=unknown
RUN bash -c 'if [[ "$0" != /src ]]; then mkdir -p "$(dirname "$0")" && mv /src "$0"; fi \
      && source "$0/scripts/lib.sh" && configure_build "$0/build" -DMSGWATCH_TESTS=OFF \
      -DMSGWATCH_REVISION="$1" && cmake --build "$0/build" --target msgwatch \
      && cpack -G DEB --config "$0/build/CPackConfig.cmake" -B /package' "${SRC}" "${MSGWATCH_REVISION}"

FROM debian:12-slim
COPY --from=build /package/msgwatch_*.deb /tmp/
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/msgwatch_*.deb \
    && rm -rf /var/lib/apt/lists/* /tmp/msgwatch_*.deb \
    && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin msgwatch
USER msgwatch
EXPOSE 9440
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9440 && printf 'GET /-/healthy HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["/usr/bin/msgwatch", "--web.listen-address=:9440"]
CMD ["--config.file=/etc/msgwatch/msgwatch.yml"]
