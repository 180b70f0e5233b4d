# Stand-in for the public redis image: Debian's redis-server. docker-compose.yml passes the
# arguments (redis-server --protected-mode no ...), as it does to the public image.
ARG DEBIAN_IMAGE=goim-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
