# syntax=docker/dockerfile:1
#
# guichet: one static binary on distroless. The data is not in the image:
# mount a directory of open-data files at /data (or let the Kubernetes
# init container fetch it there, see deploy/), so that the root file
# system can stay read-only and the image need not change when the data
# does.
#
#   docker build -t guichet .
#   docker run --read-only -p 8080:8080 -v "$PWD/data:/data:ro" guichet

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# time/tzdata is linked in by cmd/guichet, so the binary needs no
# zoneinfo from the image; distroless brings the CA bundle fetch needs.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w" -o /out/guichet ./cmd/guichet

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/guichet /guichet
USER nonroot:nonroot
ENV GUICHET_ADDR=0.0.0.0:8080 GUICHET_DATA=/data
EXPOSE 8080
VOLUME ["/data"]
# Distroless has no shell or curl: the binary probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/guichet", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/guichet"]
CMD ["serve"]
