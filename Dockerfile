# The one image of every Quancheng service in docker-compose.yml (app, worker, migrate): the project and its
# dependencies are installed when the image is built, so a container starts without the network, and runs as an
# unprivileged user. Editable install: the web UI's files (static/) are read from the source tree beside the code.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MODE=production DATA_DIR=/var/lib/quancheng
WORKDIR /srv/quancheng
COPY pyproject.toml README.md ./
COPY server ./server
COPY events ./events
COPY notifications ./notifications
COPY talent ./talent
COPY static ./static
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /var/lib/quancheng --create-home quancheng \
    && install -d -o quancheng /var/lib/quancheng/submissions

USER quancheng
EXPOSE 8000
CMD ["quancheng", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
