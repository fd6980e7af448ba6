# animabot: a slim, non-root image running `animabot run`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY animabot ./animabot
COPY adapters ./adapters
COPY scenarios ./scenarios
RUN pip install --no-cache-dir --prefix=/install ".[telegram,matrix]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 animabot && mkdir /data && chown animabot /data
COPY --from=build /install /usr/local
COPY config.example.toml /usr/share/animabot/config.example.toml
COPY scenarios /usr/share/animabot/scenarios
USER animabot
WORKDIR /data
ENV ANIMABOT_CONFIG=/data/config.toml \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
STOPSIGNAL SIGTERM
# First start: copy the commented example so `animabot run` has a configuration to read.
CMD ["sh", "-c", "test -f \"$ANIMABOT_CONFIG\" || cp /usr/share/animabot/config.example.toml \"$ANIMABOT_CONFIG\"; exec animabot run"]
