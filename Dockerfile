FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub hub
COPY events events
COPY projections projections
COPY adapters adapters
COPY policies policies
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8000
