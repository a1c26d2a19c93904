#!/usr/bin/env bash
# `make demo` (after `make deps build`): start the lab with a private pod network (the pod IPs
# answer nothing, as a real cluster's seen from a laptop, so the console reaches MySQL through
# the API server's port-forward, mysql.mode auto), open the console on it, and say how to
# stop the lab afterwards. The lab keeps running when the console exits, so the demo can
# be reopened at once (`make demo` again: `lab up` is idempotent) and rehearsed with
# `pxcmesh lab fault ...` from another terminal. See docs/lab.md.
#
#   scripts/demo.sh [BUILD_DIR]        (default: build)
#   env: PXC_DEMO_LAB_DIR (lab directory, default ~/.local/state/pxcmesh/lab),
#        PXC_DEMO_PREFIX (address prefix, default 127.0)
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD == /* ]] || BUILD=$SRC/$BUILD
PXCMESH=$BUILD/pxcmesh
LAB_DIR=${PXC_DEMO_LAB_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/pxcmesh/lab}
PREFIX=${PXC_DEMO_PREFIX:-127.0}

if [[ ! -x $PXCMESH ]]; then
    echo "demo: $PXCMESH not found; build first: make build" >&2
    exit 1
fi
if [[ ! -x $BUILD/lab/kubesim && -z ${PXC_KUBESIM:-} ]]; then
    echo "demo: $BUILD/lab/kubesim not found; build it: cmake --build $BUILD --target kubesim" >&2
    exit 1
fi

echo "demo: starting the lab in $LAB_DIR (this takes about a minute the first time)"
if ! "$PXCMESH" lab up --dir "$LAB_DIR" --prefix "$PREFIX" --pod-network private; then
    echo "demo: the lab did not come up; see 'pxcmesh lab status --dir $LAB_DIR' and the logs in $LAB_DIR/log" >&2
    exit 1
fi

echo "demo: opening the console on $LAB_DIR/pxcmesh.yaml (q quits); MySQL through port-forward"
rc=0
"$PXCMESH" --config "$LAB_DIR/pxcmesh.yaml" || rc=$?

cat <<EOF

The lab is still running (two Galera clusters, kubesim, mesh DNS). From here:
  $PXCMESH lab status --dir $LAB_DIR                 what runs where
  $PXCMESH --config $LAB_DIR/pxcmesh.yaml logs pxc-cluster-pxc-0 -c pxc --cluster cluster-a -f
  $PXCMESH --config $LAB_DIR/pxcmesh.yaml exec pxc-cluster-pxc-0 -c pxc --cluster cluster-a -- mysql -e 'SHOW ALL SLAVES STATUS\G'
  $PXCMESH lab fault break-channel --dir $LAB_DIR    rehearse a fault (docs/lab.md lists them)
  kubectl --kubeconfig $LAB_DIR/kubeconfig --context cluster-a get pods -A
  $PXCMESH --config $LAB_DIR/pxcmesh.yaml            reopen the console
Stop the lab and remove its data with:
  $PXCMESH lab down --dir $LAB_DIR
EOF
exit "$rc"
