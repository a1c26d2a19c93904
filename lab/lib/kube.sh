# lab/lib/kube.sh: the simulated Kubernetes side of the lab (sourced).
# shellcheck shell=bash
#
# One kubesim per cluster (cluster-a on $PREFIX.10.100:6443, cluster-b on $PREFIX.20.100:6443,
# HTTPS with kubesim's own CA and client certificates; the sync loop uses a bearer token
# generated per lab), seeded from the templates in
# lab/seed/ rendered with the lab's addresses and passwords: what the Percona operator and
# Istio would have created. Both write their kubeconfig; labctl merges them (kubectl's own
# merge) into one DIR/kubeconfig with contexts cluster-a and cluster-b.

kube_pidfile() { echo "$LAB_DIR/run/kubesim-$1.pid"; }

# The IP kubesim gives pod N of cluster C: its server's own address (pod network direct),
# or, with --pod-network private, an address on which nothing listens ($PREFIX.11.N,
# $PREFIX.21.N), as a real cluster's pod IPs are unreachable from a laptop.
pod_ip() {
    if [[ ${LAB_POD_NET:-direct} == private ]]; then
        echo "$PREFIX.$(($(cluster_octet "$1") + 1)).$2"
    else
        node_ip "$1" "$2"
    fi
}

# What kubesim alone knows about each pod of cluster C (--pod-map): where its ports are
# really served, its server's socket, resolv.conf and error log. None of it goes into the
# API objects.
kube_write_pod_map() {
    local c=$1 n
    {
        echo "# pods of $(cluster_name "$c") and the lab's server behind each (written by labctl)"
        for n in "${LAB_NODES[@]}"; do
            echo "$LAB_NS/$(pod_name "$c" "$n") addr=$(node_ip "$c" "$n") socket=$(node_sock "$c" "$n") resolv=$(node_dir "$c" "$n")/resolv.conf log.pxc=$(node_dir "$c" "$n")/error.log"
        done
    } >"$LAB_DIR/kubesim/$c/pods.map"
}

# kubesim: $PXC_KUBESIM, else next to the pxcmesh binary that runs us ($PXC_BINARY, set by
# `pxcmesh lab`), else in a build dir of the source tree.
kube_find_kubesim() {
    local cand
    for cand in "${PXC_KUBESIM:-}" \
        "${PXC_BINARY:+$(dirname "$PXC_BINARY")/lab/kubesim}" \
        "${PXC_BINARY:+$(dirname "$PXC_BINARY")/kubesim}" \
        "$LAB_HOME/../build/lab/kubesim"; do
        [[ -n $cand && -x $cand ]] && {
            readlink -f "$cand"
            return 0
        }
    done
    # labctl run by hand from a source tree: the newest kubesim of its build dirs
    cand=$(ls -t "$LAB_HOME"/../build*/lab/kubesim 2>/dev/null | head -1)
    [[ -n $cand && -x $cand ]] && {
        readlink -f "$cand"
        return 0
    }
    command -v kubesim 2>/dev/null && return 0
    return 1
}

# The sed program that renders a seed template for cluster C, into KUBE_SED. Lines tagged
# "#@a" or "#@b" are kept for that cluster only, "#@label" only when the namespace is
# labelled for injection, "#@replpod" only on the pod that runs the channel (pxc-0 in A).
kube_sed_args() {
    local c=$1 other n name b64 v
    [[ $c == a ]] && other=b || other=a
    KUBE_SED=(
        -e "s|@CLUSTER@|$(cluster_name "$c")|g"
        -e "s|@OTHER@|$(cluster_name "$other")|g"
        -e "s|@API_IP@|$(api_ip "$c")|g"
        -e "s|@ISTIOD_IP@|$PREFIX.$(cluster_octet "$c").200|g"
    )
    for n in "${LAB_NODES[@]}"; do
        KUBE_SED+=(-e "s|@POD_IP${n}@|$(pod_ip "$c" "$n")|g")
        KUBE_SED+=(-e "s|@NODE${n}@|$(node_ip "$c" "$n")|g"
            -e "s|@A_NODE${n}@|$(node_ip a "$n")|g" -e "s|@B_NODE${n}@|$(node_ip b "$n")|g")
    done
    for name in ROOT OPERATOR MONITOR REPLICATION XTRABACKUP PROXYADMIN; do
        v="PW_$name"
        b64=$(printf '%s' "${!v}" | base64 -w0)
        KUBE_SED+=(-e "s|@PW_${name}_B64@|$b64|g")
    done
    # the other cluster's lines go, then the tags of ours
    KUBE_SED+=(-e "/ #@$other\$/d" -e "s/ #@$c\$//")
    if ((LAB_NO_LABEL)); then
        KUBE_SED+=(-e '/ #@label$/d')
    else
        KUBE_SED+=(-e 's/ #@label$//')
    fi
}

# Print template NAME (e.g. 50-serviceentry-a.yaml) rendered for cluster C.
kube_render_one() {
    kube_sed_args "$1"
    sed "${KUBE_SED[@]}" "$LAB_HOME/seed/$2.in"
}

# Render the seed templates of cluster C into DIR/kubesim/C/seed.
kube_render_seed() {
    local c=$1 t name n
    local out=$LAB_DIR/kubesim/$c/seed
    rm -rf "$out"
    mkdir -p "$out"
    kube_sed_args "$c"
    for t in "$LAB_HOME"/seed/*.yaml.in; do
        name=$(basename "$t" .in)
        case $name in
        *-a.yaml) [[ $c == a ]] || continue ;;
        *-b.yaml) [[ $c == b ]] || continue ;;
        esac
        [[ $name == *serviceentry* ]] && ((LAB_NO_SE)) && continue
        sed "${KUBE_SED[@]}" "$t" >"$out/$name"
    done
    cp "$LAB_HOME"/seed/*.yaml "$out/"
    # istio-reader-service-account and its token Secret, as Istio's base chart leaves them:
    # what `istioctl create-remote-secret` (and `pxcmesh generate remote-secret
    # --from-cluster`) reads. kubesim accepts the token read-only (tokens file).
    local reader
    reader=$(kube_reader_token)
    cat >"$out/25-istio-reader.yaml" <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: istio-reader-service-account
  namespace: istio-system
  labels: {app: istio-reader, release: istio}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: istio-reader-service-account-istio-remote-secret-token
  namespace: istio-system
  annotations: {kubernetes.io/service-account.name: istio-reader-service-account}
data:
  token: $(printf '%s' "$reader" | base64 -w0)
EOF
    local nodes=("k3d-$(cluster_name "$c")-server-0" "k3d-$(cluster_name "$c")-agent-0" "k3d-$(cluster_name "$c")-agent-1")
    for n in "${LAB_NODES[@]}"; do
        local repl='/ #@replpod$/d'
        [[ $c == a && $n == 1 ]] && repl='s/ #@replpod$//'
        echo "---"
        sed "${KUBE_SED[@]}" -e "$repl" -e "s|@POD@|$(pod_name "$c" "$n")|g" \
            -e "s|@POD_IP@|$(pod_ip "$c" "$n")|g" -e "s|@ORDINAL@|$((n - 1))|g" \
            -e "s|@NODE_NAME@|${nodes[n - 1]}|g" "$LAB_HOME/seed/40-pod.yaml.tmpl"
    done >"$out/40-pods.yaml"
}

# The reader token, made once per lab and kept (mode 600), so restarts keep it.
kube_reader_token() {
    local f=$LAB_DIR/kubesim/reader-token
    if [[ ! -s $f ]]; then
        mkdir -p "$LAB_DIR/kubesim"
        gen_password >"$f"
    fi
    cat "$f"
}

kube_start() {
    local c=$1
    local d=$LAB_DIR/kubesim/$c
    mkdir -p "$d/state"
    kube_render_seed "$c"
    kube_write_pod_map "$c"
    # The CRDs (PerconaXtraDBCluster, ServiceEntry, ...) pxcmesh itself ships; kubesim's
    # default (the shared fixtures of a source tree) otherwise.
    local crd=()
    local crds
    for crds in "$LAB_HOME/../backends/manifest/crds" "$LAB_HOME/crds"; do
        [[ -d $crds ]] && crd=(--no-default-crds --crd-dir "$(readlink -f "$crds")") && break
    done
    setsid "$KUBESIM" --listen "$(api_ip "$c"):6443" --seed "$d/seed" \
        --write-kubeconfig "$d/kubeconfig" --context "$(cluster_name "$c")" \
        --tokens-file "$LAB_DIR/kubesim/tokens" --dns "$(dns_ip)" --state-dir "$d/state" "${crd[@]}" \
        --pod-map "$d/pods.map" --pidfile "$(kube_pidfile "$c")" \
        </dev/null >>"$LAB_DIR/log/kubesim-$c.log" 2>&1 9>&- &
    echo $! >"$(kube_pidfile "$c")"
}

kube_up() {
    KUBESIM=$(kube_find_kubesim) || die "kubesim not found: build it (cmake --build BUILD --target kubesim) or set PXC_KUBESIM=/path/to/kubesim"
    # The sync loop's bearer token, in a file rather than on a command line that `ps`
    # shows; kubectl and the console use the client certificate of the kubeconfig.
    printf '%s,pxcmesh-lab\n%s,istio-reader-service-account,readonly\n' "$KUBE_TOKEN" \
        "$(kube_reader_token)" >"$LAB_DIR/kubesim/tokens"
    local c
    for c in "${LAB_CLUSTERS[@]}"; do
        kube_start "$c"
    done
    for c in "${LAB_CLUSTERS[@]}"; do
        wait_until 30 "kubesim of $(cluster_name "$c") on $(api_ip "$c"):6443" kube_ready "$c" || {
            tail -n 20 "$LAB_DIR/log/kubesim-$c.log" >&2
            die "kubesim of $(cluster_name "$c") did not start (log: $LAB_DIR/log/kubesim-$c.log)"
        }
    done
    kube_merge_kubeconfig
}

# One kubeconfig, both contexts: kubectl's own merge of the two files kubesim wrote; and
# each server's CA for the sync loop's curl.
kube_merge_kubeconfig() {
    local c
    KUBECONFIG="$LAB_DIR/kubesim/a/kubeconfig:$LAB_DIR/kubesim/b/kubeconfig" \
        kubectl config view --flatten >"$LAB_DIR/kubeconfig.new" ||
        die "could not merge the kubeconfigs written by kubesim"
    mv "$LAB_DIR/kubeconfig.new" "$LAB_DIR/kubeconfig"
    kubectl --kubeconfig "$LAB_DIR/kubeconfig" config use-context cluster-a >/dev/null
    for c in "${LAB_CLUSTERS[@]}"; do
        kubectl --kubeconfig "$LAB_DIR/kubesim/$c/kubeconfig" config view --raw \
            -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d \
            >"$LAB_DIR/kubesim/$c/ca.crt" ||
            die "no certificate-authority-data in $LAB_DIR/kubesim/$c/kubeconfig"
    done
}

kube_ready() {
    local c=$1
    alive "$(kube_pidfile "$c")" || return 1
    [[ -s $LAB_DIR/kubesim/$c/kubeconfig ]] || return 1
    kube_api "$c" GET /version >/dev/null
}

kube_all_alive() {
    local c
    for c in "${LAB_CLUSTERS[@]}"; do
        alive "$(kube_pidfile "$c")" || return 1
    done
}

# kube_api C METHOD PATH [BODY [CONTENT-TYPE]]: one request to cluster C's API server;
# prints the body; fails on a transport error or an HTTP status >= 400. The bearer token
# goes to curl as a config line on its stdin (a here-string, never an argument): the sync
# loop makes several requests a second, and every argument is in `ps` for anyone.
kube_api() {
    local c=$1 method=$2 path=$3 body=${4:-} ctype=${5:-application/json}
    local ca=$LAB_DIR/kubesim/$c/ca.crt
    local cacert=(--cacert "$ca")
    [[ -s $ca ]] || cacert=(--cacert /dev/null -k) # before ca.crt is extracted (readiness)
    local args=(-sS --fail --max-time 5 "${cacert[@]}" -X "$method")
    # The body (a Secret's data, at times) goes on fd 3 from printf, a builtin: no argument.
    [[ -n $body ]] && args+=(-H "Content-Type: $ctype" --data-binary @/dev/fd/3)
    curl -K - "${args[@]}" "https://$(api_ip "$c"):6443$path" \
        <<<"header = \"Authorization: Bearer $KUBE_TOKEN\"" 3< <(printf '%s' "$body")
}

# kubectl against the lab, for cluster C.
kc() {
    local c=$1
    shift
    kubectl --kubeconfig "$LAB_DIR/kubeconfig" --context "$(cluster_name "$c")" --request-timeout=10s "$@"
}

# DIR/pxcmesh.yaml: the console's config for the lab (docs/config.md). MySQL in direct
# mode at the nodes' addresses; passwords from the lab's option files.
kube_write_pxcmesh_config() {
    local c n
    {
        echo "# pxcmesh config for the lab in $LAB_DIR (written by 'pxcmesh lab up')"
        echo "kubeconfig: $LAB_DIR/kubeconfig"
        echo "refreshSeconds: 2"
        echo "clusters:"
        for c in "${LAB_CLUSTERS[@]}"; do
            echo "  - name: $(cluster_name "$c")"
            echo "    context: $(cluster_name "$c")"
            echo "    namespaces: [$LAB_NS]"
            echo "    pxcCluster: $LAB_PXC"
            # private pod network: no mysql section at all; the console finds the servers
            # and their passwords through the API server, as on a real cluster
            [[ ${LAB_POD_NET:-direct} == private ]] && continue
            echo "    mysql:"
            echo "      mode: direct"
            echo "      servers:"
            for n in "${LAB_NODES[@]}"; do
                echo "        - name: $(pod_name "$c" "$n")"
                echo "          host: $(node_ip "$c" "$n")"
                echo "          port: 3306"
            done
            echo "      user: monitor"
            echo "      passwordFrom:"
            echo "        optionFile: $LAB_DIR/$c-monitor.cnf"
            echo "      actionUser: operator"
            echo "      actionPasswordFrom:"
            echo "        optionFile: $LAB_DIR/$c-operator.cnf"
            echo "      dialect: mariadb"
        done
    } >"$LAB_DIR/pxcmesh.yaml"
}
