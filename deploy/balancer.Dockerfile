# The stack's balancer: HAProxy from Debian's packages on the local base (no
# registry needed), running deploy/haproxy.cfg.
ARG BASE=codeplatform/python-base:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/*
COPY haproxy.cfg /etc/haproxy/haproxy.cfg
COPY healthcheck.py /usr/local/bin/healthcheck
USER haproxy
EXPOSE 8080 8081 8404
# Master-worker in the foreground: SIGTERM stops it, SIGUSR2 reloads.
ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
