# msgwatch in a container: built and run on Debian 12, with the same Debian packages the
# project builds against everywhere else.
#   docker build -t msgwatch .
#   docker run -p 9440:9440 -v $PWD/msgwatch.yml:/etc/msgwatch.yml msgwatch
FROM debian:12-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config git librdkafka-dev prometheus-cpp-dev libhiredis-dev libboost-dev \
      libspdlog-dev libfmt-dev libyaml-cpp-dev libgtest-dev libgmock-dev libssl-dev zlib1g-dev libcrypt-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    && cmake --build /build --target msgwatch -j2 \
    && strip /build/exporter/msgwatch

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libssl3 libprometheus-cpp-core1.0 libhiredis0.14 libspdlog1.10 libfmt9 libyaml-cpp0.7 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home msgwatch
COPY --from=build /build/exporter/msgwatch /usr/local/bin/msgwatch
USER msgwatch
EXPOSE 9440
ENTRYPOINT ["/usr/local/bin/msgwatch", "--web.listen-address=:9440"]
CMD ["--config.file=/etc/msgwatch.yml"]
