# lab/lib/dns.sh: the lab's mesh DNS (sourced).
# shellcheck shell=bash
#
# In the mesh, Istio's DNS proxy answers a ServiceEntry's host only while that ServiceEntry
# exists. The lab does the same with a dnsmasq on $PREFIX.53.1:53 and a sync loop: every
# second it lists the ServiceEntries of both simulated clusters (kubesim) and writes one
# "address host" line per STATIC endpoint address and host into dns/hosts, then sends
# dnsmasq SIGHUP (which re-reads the file and drops its cache). Istio would answer with the
# ServiceEntry's virtual address (240.240.0.2) and let the sidecar route it; the lab has no
# sidecar proxy, so it answers with the endpoints themselves, which is where the sidecar
# would send the connection. Names under .global that no ServiceEntry defines get NXDOMAIN
# (--local), and negative answers are never cached, so a new ServiceEntry works at once.
#
# The sidecar is real too, as far as names go: each server's /etc/resolv.conf (in its mount
# namespace) is its own file, DIR/<node>/resolv.conf, and the sync loop points it at the mesh
# DNS while kubesim's pod for that server has the istio-proxy container, and at the
# cluster DNS ($PREFIX.53.2, a second dnsmasq that knows no mesh names) while it has not.
# So an unlabelled namespace plus a rollout restart breaks the channel's name resolution
# exactly as it does in a real mesh, and labelling plus a restart repairs it.

kubedns_ip() { echo "$PREFIX.53.2"; }

# resolv.conf text for a pod with (mesh) or without (plain) the sidecar's DNS proxy.
dns_resolv_text() {
    if [[ $1 == mesh ]]; then
        printf '# pxcmesh lab: pod with istio-proxy (mesh DNS)\nnameserver %s\noptions timeout:1 attempts:2\n' "$(dns_ip)"
    else
        printf '# pxcmesh lab: pod without istio-proxy (cluster DNS only)\nnameserver %s\noptions timeout:1 attempts:2\n' "$(kubedns_ip)"
    fi
}

dns_write_resolv() {
    mkdir -p "$LAB_DIR/dns"
    dns_resolv_text mesh >"$LAB_DIR/dns/resolv.conf"
    dns_resolv_text plain >"$LAB_DIR/dns/resolv-plain.conf"
    touch "$LAB_DIR/dns/hosts"
}

# Point node C N's resolver at the mesh DNS or the plain cluster DNS. The file is rewritten
# in place (same inode): the server sees it through a bind mount, and glibc re-reads a
# changed resolv.conf at the next lookup.
dns_node_mode() {
    local c=$1 n=$2 mode=$3
    local f
    f=$(node_dir "$c" "$n")/resolv.conf
    [[ -d $(node_dir "$c" "$n") ]] || return 0
    local want
    want=$(dns_resolv_text "$mode")
    [[ -f $f && $(cat "$f") == "$want" ]] && return 0
    printf '%s\n' "$want" >"$f"
    printf '%s dns: %s%s resolver -> %s\n' "$(date -u +%FT%TZ)" "$c" "$n" "$mode" >>"$LAB_DIR/log/dns-sync.log"
}
dns_node_mode_of() {
    grep -q 'with istio-proxy' "$(node_dir "$1" "$2")/resolv.conf" 2>/dev/null && echo mesh || echo plain
}

dns_start() {
    dns_write_resolv
    dns_start_one dnsmasq "$(dns_ip)" --addn-hosts="$LAB_DIR/dns/hosts"
    # The cluster DNS of a pod without sidecar: no mesh names, so .global is NXDOMAIN.
    dns_start_one kubedns "$(kubedns_ip)"
}

dns_start_one() {
    local name=$1 ip=$2
    shift 2
    local f=$LAB_DIR/run/$name.pid
    alive "$f" && return 0
    local u=()
    [[ $(id -u) -eq 0 ]] && u=(--user=root --group=root)
    # --keep-in-foreground + setsid: we own the pid; dnsmasq writes no pid file of its own.
    # The log file name carries the lab dir, which is how pid_of recognises the process.
    setsid dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --no-negcache \
        --listen-address="$ip" --bind-interfaces --port=53 "${u[@]}" \
        --local=/global/ --domain-needed --bogus-priv "$@" --pid-file= --conf-file=/dev/null \
        --log-facility="$LAB_DIR/log/$name.log" --log-queries \
        </dev/null >>"$LAB_DIR/log/$name.log" 2>&1 9>&- &
    echo $! >"$f"
    wait_until 10 "$name on $ip:53" dns_listening "$f" "$ip" || {
        tail -n 5 "$LAB_DIR/log/$name.log" >&2
        die "$name did not start on $ip:53 (log: $LAB_DIR/log/$name.log); is another DNS server bound there?"
    }
}

dns_listening() {
    alive "$1" || return 1
    ss -lnu 2>/dev/null | grep -qF "$2:53 "
}

# Resolve NAME through the lab DNS exactly as a lab server does: in a mount namespace
# whose /etc/resolv.conf is the lab's. Prints the addresses, one a line.
dns_resolve() {
    local conf=${2:-$LAB_DIR/dns/resolv.conf}
    local ns=(unshare -m)
    [[ $(id -u) -eq 0 ]] || ns=(unshare -r -m)
    "${ns[@]}" -- sh -c 'mount --bind "$0" /etc/resolv.conf && getent ahostsv4 "$1"' \
        "$conf" "$1" 2>/dev/null | awk '$2 == "STREAM" {print $1}'
}

# The "address host" lines for the ServiceEntries of cluster C, from its kubesim.
# Fails (and prints nothing) when the API server does not answer.
dns_se_lines() {
    local c=$1 body
    body=$(kube_api "$c" GET /apis/networking.istio.io/v1beta1/serviceentries) || return 1
    jq -r '.items[]? | .spec as $s
        | select(($s.resolution // "NONE") == "STATIC")
        | ($s.endpoints // [])[] | .address // empty
        | select(test("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$")) as $a
        | $s.hosts[]? | "\($a) \(.)"' <<<"$body" | sort -u
}

# One pass of the sync: returns 0 whether or not anything changed. A cluster whose API
# does not answer keeps its previous lines (Istio keeps serving its last config too).
dns_sync_once() {
    local c changed=0 lines
    for c in "${LAB_CLUSTERS[@]}"; do
        lines=$(dns_se_lines "$c") || continue
        if [[ ! -f $LAB_DIR/dns/se-$c.hosts ]] || [[ $lines != "$(cat "$LAB_DIR/dns/se-$c.hosts")" ]]; then
            printf '%s\n' "$lines" | sed '/^$/d' >"$LAB_DIR/dns/se-$c.hosts"
            changed=1
        fi
    done
    dns_sync_sidecars
    if ((changed)) || [[ ! -s $LAB_DIR/dns/hosts && -s $LAB_DIR/dns/se-a.hosts ]]; then
        cat "$LAB_DIR"/dns/se-*.hosts 2>/dev/null | sort -u >"$LAB_DIR/dns/hosts.new"
        if ! cmp -s "$LAB_DIR/dns/hosts.new" "$LAB_DIR/dns/hosts"; then
            mv "$LAB_DIR/dns/hosts.new" "$LAB_DIR/dns/hosts"
            local pid
            pid=$(pid_of "$LAB_DIR/run/dnsmasq.pid") && kill -HUP "$pid"
            printf '%s dns: %s\n' "$(date -u +%FT%TZ)" "$(tr '\n' ';' <"$LAB_DIR/dns/hosts")" \
                >>"$LAB_DIR/log/dns-sync.log"
        else
            rm -f "$LAB_DIR/dns/hosts.new"
        fi
    fi
    return 0
}

# The kubelet's part: a pod's readiness follows its server. A server that is not running
# makes the pxc container wait in CrashLoopBackOff, a hung one fails its readiness probe;
# both make the pod not Ready (as `kubectl get pods` shows 1/2). The pod's current state
# comes from the list the sidecar sync fetched; only a difference is patched.
node_pod_want() {
    local c=$1 n=$2 pid
    if ! pid=$(pid_of "$(node_pidfile "$c" "$n")"); then
        echo crash
    elif [[ $(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) == T ]]; then
        echo hung
    else
        echo ready
    fi
}

pod_status_patch() {
    local c=$1 name=$2 want=$3 restarts=$4 now body
    now=$(date -u +%FT%TZ)
    case $want in
    ready)
        body=$(jq -nc --arg now "$now" --argjson r "$restarts" '{status: {conditions: [
            {type: "Ready", status: "True", lastTransitionTime: $now, reason: null, message: null},
            {type: "ContainersReady", status: "True", lastTransitionTime: $now, reason: null, message: null}],
            containerStatuses: [{name: "pxc", ready: true, started: true, restartCount: $r,
            state: {running: {startedAt: $now}, waiting: null}}]}}')
        ;;
    crash | hung)
        local reason msg
        if [[ $want == crash ]]; then
            reason=CrashLoopBackOff
            msg="back-off 10s restarting failed container=pxc pod=$name"
        else
            reason=ReadinessProbeFailed
            msg="Readiness probe failed: command timed out: \"/var/lib/mysql/readiness-check.sh\" timed out after 15s"
        fi
        body=$(jq -nc --arg now "$now" --arg reason "$reason" --arg msg "$msg" --arg want "$want" '{status: {conditions: [
            {type: "Ready", status: "False", lastTransitionTime: $now, reason: "ContainersNotReady", message: "containers with unready status: [pxc]"},
            {type: "ContainersReady", status: "False", lastTransitionTime: $now, reason: "ContainersNotReady", message: "containers with unready status: [pxc]"}],
            containerStatuses: [{name: "pxc", ready: false} + (if $want == "crash" then
                {started: false, state: {running: null, waiting: {reason: $reason, message: $msg}}}
              else {started: true} end)]}}')
        ;;
    esac
    kube_api "$c" PATCH "/api/v1/namespaces/$LAB_NS/pods/$name/status" "$body" \
        application/strategic-merge-patch+json >/dev/null || return 0
    printf '%s pods: %s %s -> %s\n' "$(date -u +%FT%TZ)" "$(cluster_name "$c")" "$name" "$want" >>"$LAB_DIR/log/dns-sync.log"
}

# Each PXC pod in kubesim with istio-proxy -> its server resolves through the mesh DNS;
# without -> through the plain cluster DNS; a pod that does not exist (being re-created)
# leaves the server as it was.
dns_sync_sidecars() {
    local c body n mode
    for c in "${LAB_CLUSTERS[@]}"; do
        body=$(kube_api "$c" GET "/api/v1/namespaces/$LAB_NS/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dpxc") || continue
        while read -r name mode ready restarts waiting uid; do
            for n in "${LAB_NODES[@]}"; do
                [[ $name == "$(pod_name "$c" "$n")" ]] || continue
                dns_node_mode "$c" "$n" "$mode"
                kubelet_pod_seen "$c" "$n" "$uid"
                # readiness only once the lab is up (during `up` the servers are still coming)
                [[ $(cat "$LAB_DIR/state" 2>/dev/null) == ready ]] || continue
                local want
                want=$(node_pod_want "$c" "$n")
                if [[ $want == ready && $ready != True ]]; then
                    # a crashed container restarted; a hung one only passes its probe again
                    [[ $waiting == yes ]] && restarts=$((restarts + 1))
                    pod_status_patch "$c" "$name" ready "$restarts"
                elif [[ $want != ready && $ready == True ]]; then
                    pod_status_patch "$c" "$name" "$want" "$restarts"
                fi
            done
        done < <(jq -r '.items[]? | "\(.metadata.name) \(
            if ([(.spec.containers // [])[], (.spec.initContainers // [])[]] | map(.name) | index("istio-proxy")) != null
            then "mesh" else "plain" end) \(
            [(.status.conditions // [])[] | select(.type == "Ready") | .status][0] // "Unknown") \(
            [(.status.containerStatuses // [])[] | select(.name == "pxc") | .restartCount][0] // 0) \(
            if [(.status.containerStatuses // [])[] | select(.name == "pxc") | .state.waiting // empty] | length > 0
            then "yes" else "no" end) \(.metadata.uid // "")"' <<<"$body")
    done
}

# The sync loop: runs as `labctl _dns-sync --dir DIR` in the background until dnsmasq or
# the lab directory goes away.
dns_sync_loop() {
    while [[ -d $LAB_DIR/run ]] && alive "$LAB_DIR/run/dnsmasq.pid"; do
        dns_sync_once
        sleep 1
    done
}

dns_sync_start() {
    local f=$LAB_DIR/run/dns-sync.pid
    alive "$f" && return 0
    # "--dir DIR/": the trailing slash lets pid_of recognise the loop by "DIR/".
    setsid bash "$LABCTL" _dns-sync --dir "$LAB_DIR/" </dev/null >>"$LAB_DIR/log/dns-sync.log" 2>&1 9>&- &
    echo $! >"$f"
}

# Wait until NAME resolves through the lab DNS (after a ServiceEntry change).
dns_wait_name() {
    wait_until "${2:-15}" "$1 to resolve through the lab DNS" dns_has_name "$1"
}
dns_has_name() { [[ -n $(dns_resolve "$1") ]]; }
