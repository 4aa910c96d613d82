# autopilot-mock in a FROM scratch image: the statically linked binary and
# nothing else (no shell, no libc, no CA store; the mock needs none).
#
#   docker build -t autopilot-mock .                      # compiles the static binary in a Rust image
#   ./scripts/build-static.sh && docker build --target prebuilt -t autopilot-mock .
#                                                         # or packs the one built on the host
#   docker run --rm -p 8443:8443 -v autopilot-mock-lit:/lit autopilot-mock
#
# The default command serves litrpc.Autopilot on 0.0.0.0:8443 with the lit dir
# /lit (a volume: tls.cert and regtest/lit.macaroon for your clients, kept
# across restarts). Arguments after the image name replace the command, e.g.
# `docker run ... autopilot-mock serve --listen 0.0.0.0:8443 --lit-dir /lit --seed 1`.
# A container runtime provides /dev/random and /dev/urandom, which the static
# binary opens for keys (without them it exits 1 and says so).

# ---- what every variant shares: /lit, the one directory the mock writes to
FROM scratch AS base
# WORKDIR creates it (root-owned: the image runs as root, so a bind-mounted
# /lit works whatever its owner). HOME is /lit too, so a command given
# without --lit-dir (default ~/.autopilot-mock) still writes to the volume.
WORKDIR /lit
ENV HOME=/lit
VOLUME /lit
EXPOSE 8443
ENTRYPOINT ["/autopilot-mock"]
CMD ["serve", "--listen", "0.0.0.0:8443", "--lit-dir", "/lit"]

# ---- the binary scripts/build-static.sh built on the host (COPY only)
FROM base AS prebuilt
COPY target/x86_64-unknown-linux-gnu/release/autopilot-mock /autopilot-mock

# ---- the binary, compiled from source (the default path)
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN bin=$(./scripts/build-static.sh --locked) && install -D -m 0755 "$bin" /out/autopilot-mock

# ---- the default image: the binary compiled above
FROM base AS image
COPY --from=build /out/autopilot-mock /autopilot-mock
