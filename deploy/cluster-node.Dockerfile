# A swarm node for scripts/test-cluster.sh: Debian's Docker engine inside an
# ordinary, unprivileged container (the script gives it the capabilities,
# the unconfined profiles and the host's cgroup mount it needs), from the
# local base, so no registry is needed. Its daemon keeps images with vfs
# (no overlay inside overlay) and leaves iptables alone.
ARG BASE=codeplatform/python-base:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      docker.io iptables iproute2 procps ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["dockerd", "--storage-driver=vfs", "--iptables=false", "--host=unix:///var/run/docker.sock"]
