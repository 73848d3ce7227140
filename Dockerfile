# The Fission API image (used by docker-compose.yml; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fission fission
COPY graph graph
COPY cypher cypher
COPY api api
COPY loaders loaders
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8000
CMD ["fission", "serve", "--host", "0.0.0.0", "--port", "8000"]
