# One image per codeplatform service, from a release binary built on this
# machine (scripts/build-images.sh), so no registry is needed: BASE is the
# local Debian base, or debian:bookworm-slim where a registry answers. Python
# in the local base doubles as the health-check client.
ARG BASE=codeplatform/python-base:bookworm
FROM ${BASE}
ARG SERVICE
RUN groupadd --system --gid 10010 app \
 && useradd --system --uid 10010 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY bin/ /usr/local/bin/
COPY ui/ /srv/ui/
COPY courses/ /srv/courses/
COPY healthcheck.py /usr/local/bin/healthcheck
ENV SERVICE=${SERVICE} UI_DIR=/srv/ui COURSES_DIR=/srv/courses \
    API_ADDR=0.0.0.0:8080 WS_ADDR=0.0.0.0:8081 WS_ADMIN_ADDR=0.0.0.0:9101 \
    GRADER_METRICS_ADDR=0.0.0.0:9100 LOG_FORMAT=json
USER app
ENTRYPOINT ["/bin/sh", "-c", "exec /usr/local/bin/$SERVICE"]
