FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub hub
COPY events events
COPY projections projections
COPY adapters adapters
COPY policies policies
RUN pip install --no-cache-dir .
# A user of its own, and the directories of the key and document volumes owned by it: a new named volume takes the
# ownership of the directory it is mounted on, so the hub can write its keys and documents there.
RUN useradd --system --uid 10001 --home-dir /var/lib/hub --shell /usr/sbin/nologin hub \
    && mkdir -p /var/lib/hub/keys /var/lib/hub/documents \
    && chown -R hub:hub /var/lib/hub \
    && chmod 0700 /var/lib/hub/keys
USER hub
ENV HUB_KEY_DIR=/var/lib/hub/keys HUB_DOCUMENT_DIR=/var/lib/hub/documents
VOLUME ["/var/lib/hub/keys", "/var/lib/hub/documents"]
EXPOSE 8000
