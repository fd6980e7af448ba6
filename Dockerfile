# animabot: a slim image running `animabot run` as a non-root user, with its data in /data.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY animabot ./animabot
COPY adapters ./adapters
COPY scenarios ./scenarios
RUN pip install --no-cache-dir --prefix=/install ".[telegram,matrix,email,sms,poster,postgresql]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 animabot && mkdir /data && chown animabot: /data
COPY --from=build /install /usr/local
COPY config.example.toml docker/config.toml /usr/share/animabot/
COPY scenarios /usr/share/animabot/scenarios
COPY docker/entrypoint.sh /usr/local/bin/animabot-entrypoint
WORKDIR /data
ENV ANIMABOT_CONFIG=/data/config.toml \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
STOPSIGNAL SIGTERM
# Starts as root only to give a mounted /data to the animabot user (docker/entrypoint.sh),
# then runs as that user; writes a first /data/config.toml (no platform enabled) if absent.
ENTRYPOINT ["animabot-entrypoint"]
CMD ["animabot", "run"]
