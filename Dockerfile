# mockrunner's server image: `docker build -t mockrunner .` then `docker run -p 127.0.0.1:4580:4580 mockrunner`.
# The admin API sees Docker's gateway, not loopback: to call it from the host, add
# `-e MOCKRUNNER_ADMIN_REMOTE=1 -e MOCKRUNNER_ADMIN_TOKEN=...` and send `Authorization: Bearer ...`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/mockrunner
COPY setup.cfg pyproject.toml constraints.txt ./
COPY README.md* ./
COPY mockrunner ./mockrunner
COPY examples ./examples
# README.md is the package's long description; a placeholder keeps the build working in trimmed contexts.
# skopeo is the registry client the dev stack's push-and-deploy service pushes images with.
RUN apt-get update && apt-get install -y --no-install-recommends skopeo && rm -rf /var/lib/apt/lists/*
RUN test -f README.md || echo "mockrunner" > README.md \
    && pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home --uid 10001 mockrunner \
    && mkdir -p /state && chown mockrunner /state
USER mockrunner

EXPOSE 4580
VOLUME ["/state"]
# No curl in slim images: the health check is a one-line Python HTTP request.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; token = os.environ.get('MOCKRUNNER_ADMIN_TOKEN'); sys.exit(0 if u.urlopen(u.Request('http://127.0.0.1:4580/_mockrunner/health', headers={'Authorization': 'Bearer ' + token} if token else {}), timeout=2).status == 200 else 1)"]
CMD ["python", "-m", "mockrunner", "serve", "--host", "0.0.0.0", "--port", "4580"]
