# The Fission API image (used by docker-compose.yml; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fission fission
COPY graph graph
COPY cypher cypher
COPY loaders loaders
COPY synthetic synthetic
COPY api api
COPY cli cli
RUN pip install --no-cache-dir .
# Keys, rejects and generated data live outside the installed packages, on a volume the
# unprivileged user can write.
ENV FISSION_VAR_DIR=/var/lib/fission
RUN mkdir -p /var/lib/fission && chown nobody /var/lib/fission
VOLUME /var/lib/fission
USER nobody
EXPOSE 8000
CMD ["fission", "serve", "--host", "0.0.0.0", "--port", "8000"]
