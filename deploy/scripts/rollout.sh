#!/usr/bin/env bash
# Blue-green and canary roll-outs of qrforge-serve with plain kubectl (docs/operations.md).
#
#   rollout.sh canary  <image> [percent]  a second Deployment (qrforge-serve-canary) with the new
#                                         image, sized to about <percent> of the pods (default 10)
#                                         behind the same Service; watch, then promote or abort
#   rollout.sh promote <image>            the new image on qrforge-serve, the canary removed
#   rollout.sh abort                      the canary removed; qrforge-serve untouched
#   rollout.sh blue-green <image> <url>   a full green Deployment beside blue (qrforge-serve, track
#                                         "stable"), smoke-tested through a port-forward, then the
#                                         Service switched to it at once; blue keeps running for an
#                                         instant switch back until the next release
#   rollout.sh switch-back                the Service back to blue
set -euo pipefail

namespace="${QRFORGE_NAMESPACE:-qrforge}"
kc() { kubectl --namespace "$namespace" "$@"; }
here="$(cd "$(dirname "$0")" && pwd)"

clone() { # clone <name> <image> <replicas> <track>
  kc get deployment qrforge-serve -o json |
    jq --arg name "$1" --arg image "$2" --argjson replicas "$3" --arg track "$4" '
      .metadata = {name: $name, labels: (.metadata.labels + {"qrforge.dev/track": $track})}
      | .spec.replicas = $replicas
      | .spec.selector.matchLabels["qrforge.dev/track"] = $track
      | .spec.template.metadata.labels["qrforge.dev/track"] = $track
      | .spec.template.spec.containers[0].image = $image
      | del(.status)' |
    kc apply -f -
}

case "${1:-}" in
  canary)
    image="${2:?image}"
    percent="${3:-10}"
    replicas=$(kc get deployment qrforge-serve -o jsonpath='{.spec.replicas}')
    canary=$(((replicas * percent + 99) / 100))
    clone qrforge-serve-canary "$image" "$canary" canary
    kc rollout status deployment/qrforge-serve-canary --timeout=5m
    echo "canary: $canary pod(s) of $image beside $replicas; compare qr error rates, then promote or abort"
    ;;
  promote)
    image="${2:?image}"
    kc set image deployment/qrforge-serve qrforge="$image"
    kc rollout status deployment/qrforge-serve --timeout=10m
    kc delete deployment qrforge-serve-canary --ignore-not-found
    ;;
  abort)
    kc delete deployment qrforge-serve-canary --ignore-not-found
    ;;
  blue-green)
    image="${2:?image}"
    url="${3:?public URL for the final smoke test}"
    replicas=$(kc get deployment qrforge-serve -o jsonpath='{.spec.replicas}')
    clone qrforge-serve-green "$image" "$replicas" green
    kc rollout status deployment/qrforge-serve-green --timeout=10m
    kc port-forward deployment/qrforge-serve-green 18000:8000 >/dev/null &
    forward=$!
    trap 'kill $forward 2>/dev/null || true' EXIT
    sleep 3
    "$here/smoke-test.sh" http://127.0.0.1:18000 10
    kc patch service qrforge --type merge -p '{"spec":{"selector":{"qrforge.dev/track":"green"}}}'
    "$here/smoke-test.sh" "$url" 10 || {
      echo "blue-green: green failed behind the Service; switching back" >&2
      kc patch service qrforge --type merge -p '{"spec":{"selector":{"qrforge.dev/track":"stable"}}}'
      exit 1
    }
    ;;
  switch-back)
    kc patch service qrforge --type merge -p '{"spec":{"selector":{"qrforge.dev/track":"stable"}}}'
    ;;
  *)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac
