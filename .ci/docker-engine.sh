# Sourced by .ci/run: makes sure a Docker engine answers for goim-docker-tests (the container
# test), on a fresh machine too.
#
#   docker_engine_up   when no engine answers: installs docker.io, mmdebstrap and docker-compose
#                      (apt-get, as root) if missing, starts dockerd with its own data, exec root
#                      and socket under GOIM_CI_DOCKER_DIR (default /var/tmp/goim-ci-docker, kept
#                      between runs so that images are built once), exports DOCKER_HOST, and stops
#                      that dockerd when .ci/run exits. Then builds the local stand-ins of the
#                      public images (docker/local/build-stand-ins.sh; kept ones are reused) and
#                      exports the variables that point the stack at them.
# Without root and without an engine it says so, and goim-docker-tests skips itself.

docker_engine_answers() { docker info >/dev/null 2>&1; }

docker_engine_down() {
  local dir=${GOIM_CI_DOCKER_DIR:-/var/tmp/goim-ci-docker} pid t=0
  [[ -f $dir/dockerd.pid ]] || return 0
  pid=$(cat "$dir/dockerd.pid")
  echo "CI: stopping the Docker engine this run started (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((t++ < 60)); do sleep 0.5; done
  rm -f "$dir/dockerd.pid"
}

docker_engine_up() {
  local dir=${GOIM_CI_DOCKER_DIR:-/var/tmp/goim-ci-docker} packages=() t=0 previous
  if command -v docker >/dev/null && docker_engine_answers; then
    echo "CI: a Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-default})"
  else
    command -v dockerd >/dev/null || packages+=(docker.io)
    command -v mmdebstrap >/dev/null || packages+=(mmdebstrap)
    command -v docker-compose >/dev/null || packages+=(docker-compose)
    if ((${#packages[@]})); then
      if [[ $(id -u) != 0 ]]; then
        echo "CI: no Docker engine, and not root to install ${packages[*]}: goim-docker-tests will skip"
        return 0
      fi
      echo "CI: installing ${packages[*]}"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    fi
    mkdir -p "$dir"
    echo "CI: starting dockerd on unix://$dir/docker.sock (log $dir/dockerd.log)"
    dockerd --data-root "$dir/root" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \
      --pidfile "$dir/dockerd.pid" >"$dir/dockerd.log" 2>&1 &
    export DOCKER_HOST=unix://$dir/docker.sock
    # stop it when .ci/run exits, after whatever else .ci/run has set to run then
    previous=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
    # shellcheck disable=SC2064 # expanded now on purpose
    trap "docker_engine_down; ${previous}" EXIT
    until docker_engine_answers; do
      ((t++ < 120)) || { tail -n 20 "$dir/dockerd.log" >&2; echo "CI: dockerd did not answer in 60 s" >&2; return 1; }
      sleep 0.5
    done
    echo "CI: Docker engine up (DOCKER_HOST=$DOCKER_HOST)"
  fi
  docker/local/build-stand-ins.sh || return 1
  set -a && . .docker-local/images.env && set +a
}
