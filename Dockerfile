# Epiloop gateway image for Fly.io (see docs/fly.md) or any container host.
# Builds on x86-64 and ARM (python:3.11-slim is multi-arch; every pinned dependency ships
# wheels for both), without build tools.
#
#   docker build -t epiloop .
#   docker run -p 3000:3000 -v epiloop-data:/data -e EPILOOP_GATEWAY_TOKEN=... epiloop
#
# The container starts as root only long enough for scripts/docker-entrypoint.sh to give the
# volume at /data to the unprivileged user "epiloop" (Fly mounts volumes root-owned), then
# runs the gateway as that user.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN groupadd --system --gid 1000 epiloop \
    && useradd --system --uid 1000 --gid epiloop --create-home --home-dir /home/epiloop \
        --shell /bin/bash epiloop \
    && mkdir -p /data \
    && chown epiloop:epiloop /data

WORKDIR /app

# Runtime dependencies only (requirements-dev.txt stays out of the image), in their own layer
# so that a code change does not reinstall them. All ship wheels or are pure Python: no
# compiler is installed, so none is left behind.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time. Settings need a writable state dir (they create
# the secret key and logs/ there), so a throwaway one is used and removed. The app's modules
# are byte-compiled now: at run time /app is read-only to the app user.
RUN EPILOOP_STATE_DIR=/tmp/build-state python manage.py collectstatic --noinput -v 0 \
    && rm -rf /tmp/build-state \
    && python -m compileall -q -j 0 /app \
    && chmod 0755 /app/scripts/docker-entrypoint.sh

# Everything that must survive a redeploy (config, database, secret key, logs) lives here.
ENV EPILOOP_STATE_DIR=/data \
    PYTHONDONTWRITEBYTECODE=1

EXPOSE 3000

# The slim image has no curl: probe /healthz with Python (no proxy, 4 s timeout).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:3000/healthz', timeout=4)"]

# rungateway stops gracefully on SIGTERM (lock released, channels closed).
STOPSIGNAL SIGTERM

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["python", "manage.py", "rungateway", "--allow-unconfigured", "--port", "3000", "--bind", "lan"]
