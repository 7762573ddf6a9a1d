# Prometheus for the stack, from Debian's packages on the local base (no
# registry needed), with codeplatform's scrape targets and rules.
ARG BASE=codeplatform/python-base:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/prometheus && chown prometheus:prometheus /var/lib/prometheus
COPY prometheus.yml /etc/prometheus/prometheus.yml
COPY prometheus-rules.yml /etc/prometheus/rules.yml
COPY healthcheck.py /usr/local/bin/healthcheck
USER prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus", "--config.file=/etc/prometheus/prometheus.yml", \
            "--storage.tsdb.path=/var/lib/prometheus", "--storage.tsdb.retention.time=15d", \
            "--web.listen-address=:9090"]
