# hotline as a container image: `docker build -t hotline:latest .`, then
# `docker run --rm -v "$PWD:/work" hotline:latest simulate /menus/bank.yaml`.
# deploy/k8s uses this image (hotline:latest).

# Build: the release binary, with the lock file's versions.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p hotline --bin hotline

# Run: the binary and the sample menus, as a user without privileges.
FROM debian:bookworm-slim
RUN useradd --create-home --uid 10001 hotline \
    && mkdir /work && chown hotline /work
COPY --from=build /src/target/release/hotline /usr/local/bin/hotline
COPY menus /menus
USER hotline
WORKDIR /work
ENTRYPOINT ["hotline"]
CMD ["--help"]
