# lab/lib/faults.sh: fault and scenario commands of `pxcmesh lab fault NAME` (sourced).
# shellcheck shell=bash
#
# Each fault does to the lab what happens to a real setup, through the same parts: a
# server is stopped or killed for real, the channel breaks with a real SQL error, objects
# change through kubesim's API (kubectl), and the DNS follows the ServiceEntries and the
# sidecars. Each command waits (bounded) until its effect is observable, then prints it.
# docs/lab.md lists them; `fix-channel`, `start-node`, `resume-node`, `label-namespace`
# and `apply-serviceentry` undo them.

fault_usage() {
    cat <<'EOF'
faults (pxcmesh lab fault NAME [ARGS]):
  stop-node CLUSTER N      clean shutdown of node N (1-3) of cluster-a|cluster-b
  kill-node CLUSTER N      SIGKILL node N (a crash)
  start-node CLUSTER N     start node N again (joins its cluster, or bootstraps it if alone)
  hang-node CLUSTER N      SIGSTOP node N (hangs: connections open but nothing answers)
  resume-node CLUSTER N    SIGCONT a hung node
  break-channel            duplicate key: a row on the replica, the same key on the source
                           (SQL thread stops with error 1062)
  fix-channel              repair the channel: remove the conflicting row, point it back at
                           pxc-cluster.cluster-b.global, start it
  wrong-host               point the channel at pxc-cluster.cluster-x.global (no such name)
  stop-source              stop the node of cluster-b that the channel reads from
  kill-source-node         SIGKILL that node (a crash), then wait until the channel reads
                           from another node of the name
  remove-sidecar           re-create pod pxc-cluster-pxc-0 in cluster-a without istio-proxy
                           (its server then resolves without the mesh DNS)
  delete-serviceentry      delete cluster-a's ServiceEntry pxc-cluster-cluster-b
  apply-serviceentry       (re)apply it
  unlabel-namespace        remove istio-injection=enabled from namespace pxc in both clusters
  label-namespace          label it again
  restart-pods CLUSTER     kubectl rollout restart statefulset pxc-cluster-pxc (pods are
                           re-created, with sidecars only if the namespace is labelled)
  stop-channel             STOP SLAVE on the channel, as an operator would (undo: fix-channel)
  wrong-endpoint           point cluster-a's ServiceEntry at an address that is no node of
                           cluster-b (undo: apply-serviceentry)
  change-repl-password     rotate the replication user's password on cluster-b and in its
                           Secret; the channel keeps the old one (IO error 1045)
  restore-repl-password    the lab's replication password again everywhere, and in the
                           channel
EOF
}

# Sets FAULT_C and FAULT_N from "CLUSTER N", or exits 2.
fault_node_args() {
    (($# == 2)) || usage_die "$FAULT needs CLUSTER N (e.g. cluster-a 2)"
    FAULT_C=$(cluster_letter "$1") || usage_die "$FAULT: unknown cluster '$1' (expected cluster-a or cluster-b)"
    [[ $2 =~ ^[123]$ ]] || usage_die "$FAULT: node '$2' out of range (expected 1, 2 or 3)"
    FAULT_N=$2
}

lab_fault() {
    FAULT=$1
    shift
    local c
    case $FAULT in
    -h | --help | help | list)
        fault_usage
        return 0
        ;;
    stop-node | kill-node | start-node | hang-node | resume-node)
        fault_node_args "$@"
        "fault_${FAULT//-/_}" "$FAULT_C" "$FAULT_N"
        ;;
    restart-pods)
        (($# == 1)) || usage_die "restart-pods needs CLUSTER"
        c=$(cluster_letter "$1") || usage_die "restart-pods: unknown cluster '$1'"
        fault_restart_pods "$c"
        ;;
    break-channel | fix-channel | wrong-host | stop-source | kill-source-node | remove-sidecar | \
        delete-serviceentry | apply-serviceentry | unlabel-namespace | label-namespace | \
        stop-channel | wrong-endpoint | change-repl-password | restore-repl-password)
        (($# == 0)) || usage_die "$FAULT takes no arguments"
        "fault_${FAULT//-/_}"
        ;;
    *)
        fault_usage >&2
        usage_die "unknown fault '$FAULT'"
        ;;
    esac
}

node_label() { echo "$(cluster_name "$1")/$2 ($(node_ip "$1" "$2"), pod $(pod_name "$1" "$2"))"; }

fault_stop_node() {
    node_alive "$1" "$2" || die "node $(node_label "$1" "$2") is not running"
    node_stop "$1" "$2" 120
    say "stopped node $(node_label "$1" "$2")"
}

fault_kill_node() {
    local pid
    pid=$(pid_of "$(node_pidfile "$1" "$2")") || die "node $(node_label "$1" "$2") is not running"
    kill -KILL "$pid"
    wait_until 10 "pid $pid to exit" pid_gone "$pid"
    rm -f "$(node_pidfile "$1" "$2")"
    say "killed node $(node_label "$1" "$2") (pid $pid, SIGKILL)"
}

fault_start_node() {
    local c=$1 n=$2
    if node_alive "$c" "$n"; then
        say "node $(node_label "$c" "$n") is already running"
        return 0
    fi
    [[ -d $(node_dir "$c" "$n")/data/mysql ]] ||
        die "node $(node_label "$c" "$n") has no data directory; rebuild the lab: pxcmesh lab down --dir $LAB_DIR && pxcmesh lab up --dir $LAB_DIR"
    rm -f "$(node_dir "$c" "$n")/mysqld.sock"
    if cluster_peer_alive "$c" "$n"; then
        node_start "$c" "$n" join
    else
        # The whole cluster is down: this node bootstraps it again (like PXC's autoRecovery
        # picking the most advanced node; in the lab any node will do, writes stopped).
        node_start "$c" "$n" new
    fi
    node_wait_synced "$c" "$n" 300 || die "node $(node_label "$c" "$n") did not reach Synced"
    if [[ $c == a && $n == 1 ]]; then
        # A restarted replica resumes its channel (the operator would, too).
        SQL_TIMEOUT=10 sql a 1 "START SLAVE '$LAB_CHANNEL'" 2>/dev/null || true
    fi
    say "started node $(node_label "$c" "$n"): Synced, cluster size $(wsrep_var "$c" "$n" wsrep_cluster_size)"
}

fault_hang_node() {
    local pid
    pid=$(pid_of "$(node_pidfile "$1" "$2")") || die "node $(node_label "$1" "$2") is not running"
    kill -STOP "$pid"
    say "hung node $(node_label "$1" "$2") (pid $pid, SIGSTOP); undo: pxcmesh lab fault resume-node $(cluster_name "$1") $2"
}

fault_resume_node() {
    local pid
    pid=$(pid_of "$(node_pidfile "$1" "$2")") || die "node $(node_label "$1" "$2") is not running"
    kill -CONT "$pid"
    say "resumed node $(node_label "$1" "$2") (pid $pid, SIGCONT)"
}

channel_errno() { channel_field a Last_SQL_Errno; }
channel_sql_errno_is() { [[ $(SQL_TIMEOUT=5 channel_field a Last_SQL_Errno) == "$1" ]]; }
channel_io_failed() {
    local e
    e=$(SQL_TIMEOUT=5 channel_field a Last_IO_Errno)
    [[ -n $e && $e != 0 ]]
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
node_resolver_is() { [[ $(dns_node_mode_of "$1" "$2") == "$3" ]]; }
dns_lacks_host() { ! grep -q " $1\$" "$LAB_DIR/dns/hosts"; }

fault_break_channel() {
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    local b=0
    for n in "${LAB_NODES[@]}"; do node_alive b "$n" && b=$n && break; done
    ((b)) || die "no node of cluster-b is running"
    local id
    id=$(sql a 1 "SELECT COALESCE(MAX(id), 0) + 1000 FROM lab.events") || die "cannot read lab.events on cluster-a/1"
    sql a 1 "INSERT INTO lab.events (id, what) VALUES ($id, 'fault break-channel: written on the replica')" ||
        die "insert on cluster-a/1 failed"
    sql b "$b" "INSERT INTO lab.events (id, what) VALUES ($id, 'fault break-channel: written on the source')" ||
        die "insert on cluster-b/$b failed"
    wait_until 30 "the channel's SQL thread to stop with error 1062" channel_sql_errno_is 1062 ||
        die "the channel did not stop with 1062 (Last_SQL_Error: $(channel_field a Last_SQL_Error))"
    say "channel $LAB_CHANNEL broken: Last_SQL_Errno 1062 on id $id; $(channel_field a Last_SQL_Error | cut -c1-160)"
    say "undo: pxcmesh lab fault fix-channel"
}

fault_fix_channel() {
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    local errno err
    errno=$(channel_errno)
    err=$(channel_field a Last_SQL_Error)
    sql a 1 "STOP SLAVE '$LAB_CHANNEL'" || true
    if [[ $errno == 1062 ]]; then
        # Repair, not skip: the replica's conflicting row goes, the source's row applies.
        local key
        key=$(sed -n "s/.*Duplicate entry '\([0-9]*\)' for key 'PRIMARY'.*/\1/p" <<<"$err")
        if [[ -n $key && $err == *lab.events* ]]; then
            sql a 1 "DELETE FROM lab.events WHERE id = $key" || die "could not delete the conflicting row $key on cluster-a/1"
            say "removed the replica's conflicting row lab.events id=$key"
        else
            sql_sock a 1 <<EOF || die "could not skip the failing transaction"
SET @@default_master_connection = '$LAB_CHANNEL';
SET GLOBAL sql_slave_skip_counter = 1;
EOF
            say "skipped the failing transaction (error $errno)"
        fi
    elif [[ -n $errno && $errno != 0 ]]; then
        sql_sock a 1 <<EOF || die "could not skip the failing transaction"
SET @@default_master_connection = '$LAB_CHANNEL';
SET GLOBAL sql_slave_skip_counter = 1;
EOF
        say "skipped the failing transaction (error $errno)"
    fi
    local host
    host=$(channel_field a Master_Host)
    if [[ $host != "$LAB_SE_HOST_B" ]]; then
        sql a 1 "CHANGE MASTER '$LAB_CHANNEL' TO MASTER_HOST='$LAB_SE_HOST_B', MASTER_PORT=3306" ||
            die "could not point the channel back at $LAB_SE_HOST_B"
        cr_set_source_host "$LAB_SE_HOST_B"
        say "pointed the channel back at $LAB_SE_HOST_B (was $host)"
    fi
    sql a 1 "START SLAVE '$LAB_CHANNEL'" || die "START SLAVE '$LAB_CHANNEL' failed"
    if wait_until 30 "channel $LAB_CHANNEL to run" channel_running; then
        say "channel $LAB_CHANNEL running"
    else
        die "channel $LAB_CHANNEL still not running: IO $(channel_field a Slave_IO_Running) SQL $(channel_field a Slave_SQL_Running): $(channel_field a Last_IO_Error) $(channel_field a Last_SQL_Error)"
    fi
}

# Keep the CR's sourcesList in step with the channel (as an operator's CR edit would be).
cr_set_source_host() {
    local patch
    patch=$(printf '{"spec":{"pxc":{"replicationChannels":[{"name":"%s","isSource":false,"configuration":{"sourceRetryCount":3,"sourceConnectRetry":60},"sourcesList":[{"host":"%s","port":3306,"weight":100}]}]}}}' "$LAB_CHANNEL" "$1")
    kc a patch perconaxtradbcluster "$LAB_PXC" -n "$LAB_NS" --type=merge -p "$patch" >/dev/null 2>&1 ||
        warn "could not update the PerconaXtraDBCluster's sourcesList in cluster-a (kubesim)"
}

fault_wrong_host() {
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    local bad=pxc-cluster.cluster-x.global
    sql_sock a 1 <<EOF || die "could not re-point the channel"
STOP SLAVE '$LAB_CHANNEL';
CHANGE MASTER '$LAB_CHANNEL' TO MASTER_HOST='$bad', MASTER_PORT=3306;
START SLAVE '$LAB_CHANNEL';
EOF
    cr_set_source_host "$bad"
    wait_until 30 "the channel's IO thread to fail" channel_io_failed || true
    say "channel $LAB_CHANNEL now points at $bad: IO $(channel_field a Slave_IO_Running), error $(channel_field a Last_IO_Errno): $(channel_field a Last_IO_Error | cut -c1-160)"
    say "undo: pxcmesh lab fault fix-channel"
}

fault_stop_source() {
    local n
    n=$(channel_source_node) || die "no node of cluster-b serves the channel right now (is it connected? see pxcmesh lab status)"
    node_stop b "$n" 120
    say "stopped cluster-b/$n ($(node_ip b "$n")), the channel's source; the channel reconnects to another address of $LAB_SE_HOST_B within its connect retry (5 s)"
    say "undo: pxcmesh lab fault start-node cluster-b $n"
}

channel_source_moved() {
    local m
    m=$(channel_source_node) && [[ $m != "$1" ]] && channel_running
}

# The failover rehearsal: the node serving the channel's binlog dump crashes; the channel's
# IO thread fails, waits its connect retry (5 s) and reconnects through the mesh name,
# which still lists every node of cluster-b (the ServiceEntry), to one that answers.
fault_kill_source_node() {
    local n m pid
    n=$(channel_source_node) || die "no node of cluster-b serves the channel right now (is it connected? see pxcmesh lab status)"
    pid=$(pid_of "$(node_pidfile b "$n")") || die "node $(node_label b "$n") is not running"
    kill -KILL "$pid"
    wait_until 10 "pid $pid to exit" pid_gone "$pid"
    rm -f "$(node_pidfile b "$n")"
    say "killed $(node_label b "$n"), the channel's source (pid $pid, SIGKILL)"
    if wait_until 60 "the channel to read from another node of $LAB_SE_HOST_B" channel_source_moved "$n"; then
        m=$(channel_source_node)
        say "the channel reconnected through $LAB_SE_HOST_B and reads from $(node_label b "$m")"
    else
        warn "the channel reads from no other node yet: IO $(channel_field a Slave_IO_Running), error $(channel_field a Last_IO_Errno): $(channel_field a Last_IO_Error | cut -c1-160)"
    fi
    say "undo: pxcmesh lab fault start-node cluster-b $n"
}

# Re-create pxc-0 in A as a pod created while the namespace was not labelled: without
# istio-proxy. kubesim's StatefulSet controller re-creates the deleted pod at once.
fault_remove_sidecar() {
    local pod
    pod=$(pod_name a 1)
    local labelled
    labelled=$(kc a get namespace "$LAB_NS" -o jsonpath='{.metadata.labels.istio-injection}') ||
        die "cannot read namespace $LAB_NS in cluster-a (is kubesim running?)"
    [[ $labelled == enabled ]] && kc a label namespace "$LAB_NS" istio-injection- >/dev/null
    kc a delete pod "$pod" -n "$LAB_NS" --wait=false >/dev/null || die "could not delete pod $pod in cluster-a"
    wait_until 15 "pod $pod to come back" kc a get pod "$pod" -n "$LAB_NS"
    [[ $labelled == enabled ]] && kc a label namespace "$LAB_NS" istio-injection=enabled --overwrite >/dev/null
    kc a label pod "$pod" -n "$LAB_NS" percona.com/replicationPod=true --overwrite >/dev/null || true
    wait_until 10 "the server of $pod to lose the mesh DNS" node_resolver_is a 1 plain ||
        warn "the DNS sync did not switch cluster-a/1 to the plain resolver"
    say "pod $pod in cluster-a re-created without istio-proxy (containers: $(kc a get pod "$pod" -n "$LAB_NS" -o jsonpath='{.spec.containers[*].name}')); its server now resolves without the mesh DNS"
    say "undo: pxcmesh lab fault restart-pods cluster-a (the namespace is labelled)"
}

fault_delete_serviceentry() {
    kc a delete serviceentry pxc-cluster-cluster-b -n "$LAB_NS" >/dev/null ||
        die "could not delete ServiceEntry pxc-cluster-cluster-b in cluster-a (already gone?)"
    wait_until 10 "$LAB_SE_HOST_B to stop resolving" dns_lacks_host "$LAB_SE_HOST_B" ||
        warn "the lab DNS still answers $LAB_SE_HOST_B"
    # Envoy drops the connections of a cluster whose config went away: the channel
    # reconnects, and now fails to resolve.
    SQL_TIMEOUT=10 sql a 1 "STOP SLAVE '$LAB_CHANNEL' IO_THREAD; START SLAVE '$LAB_CHANNEL' IO_THREAD" 2>/dev/null || true
    say "deleted ServiceEntry pxc-cluster-cluster-b in cluster-a; $LAB_SE_HOST_B no longer resolves in the mesh"
    say "undo: pxcmesh lab fault apply-serviceentry"
}

fault_apply_serviceentry() {
    local f=$LAB_DIR/kubesim/a/serviceentry.yaml
    LAB_NO_SE=0 kube_render_one a 50-serviceentry-a.yaml >"$f"
    kc a apply --server-side --validate=false --field-manager=pxcmesh-lab -f "$f" >/dev/null || die "kubectl apply --server-side -f $f failed (cluster-a)"
    dns_wait_name "$LAB_SE_HOST_B" 15 || warn "$LAB_SE_HOST_B does not resolve yet"
    say "applied ServiceEntry pxc-cluster-cluster-b in cluster-a; $LAB_SE_HOST_B -> $(dns_resolve "$LAB_SE_HOST_B" | tr '\n' ' ')"
}

fault_unlabel_namespace() {
    local c
    for c in "${LAB_CLUSTERS[@]}"; do
        kc "$c" label namespace "$LAB_NS" istio-injection- >/dev/null || die "could not unlabel namespace $LAB_NS in $(cluster_name "$c")"
    done
    say "namespace $LAB_NS unlabelled in both clusters: pods created from now on get no sidecar (existing pods keep theirs until re-created)"
    say "undo: pxcmesh lab fault label-namespace"
}

fault_label_namespace() {
    local c
    for c in "${LAB_CLUSTERS[@]}"; do
        kc "$c" label namespace "$LAB_NS" istio-injection=enabled --overwrite >/dev/null ||
            die "could not label namespace $LAB_NS in $(cluster_name "$c")"
    done
    say "namespace $LAB_NS labelled istio-injection=enabled in both clusters; re-create the pods to inject: pxcmesh lab fault restart-pods cluster-a"
}

fault_restart_pods() {
    local c=$1
    kc "$c" rollout restart statefulset "$LAB_PXC-pxc" -n "$LAB_NS" >/dev/null ||
        die "kubectl rollout restart statefulset $LAB_PXC-pxc failed in $(cluster_name "$c")"
    sleep 1
    [[ $c == a ]] && kc a label pod "$(pod_name a 1)" -n "$LAB_NS" percona.com/replicationPod=true --overwrite >/dev/null 2>&1
    say "pods of $(cluster_name "$c") re-created: $(kc "$c" get pods -n "$LAB_NS" -o jsonpath='{range .items[*]}{.metadata.name}=[{.spec.containers[*].name}] {end}')"
}

fault_stop_channel() {
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    sql a 1 "STOP SLAVE '$LAB_CHANNEL'" || die "STOP SLAVE '$LAB_CHANNEL' failed on cluster-a/1"
    say "channel $LAB_CHANNEL stopped on cluster-a/1: IO $(channel_field a Slave_IO_Running), SQL $(channel_field a Slave_SQL_Running)"
    say "undo: pxcmesh lab fault fix-channel"
}

# The seed's ServiceEntry with one endpoint that is no node of cluster-b: the mesh DNS then
# answers that address, where nothing listens.
fault_wrong_endpoint() {
    local f=$LAB_DIR/kubesim/a/serviceentry-wrong.json bad=$PREFIX.99.9
    jq -n --arg a "$bad" '{spec: {endpoints: [{address: $a}]}}' >"$f"
    kc a patch serviceentry pxc-cluster-cluster-b -n "$LAB_NS" --type=merge --patch-file "$f" >/dev/null ||
        die "could not patch ServiceEntry pxc-cluster-cluster-b in cluster-a (is it there? apply-serviceentry)"
    say "ServiceEntry pxc-cluster-cluster-b in cluster-a now has the endpoint $bad, no node of cluster-b"
    say "undo: pxcmesh lab fault apply-serviceentry"
}

# Cluster-b's Secret gets the replication user's new password (through a file, never on a
# command line), as an operator rotating it would write it.
repl_secret_set() {
    local f=$LAB_DIR/kubesim/b/secret-patch.json rc
    (
        umask 077
        jq -n --arg v "$(printf %s "$1" | base64 -w0)" '{data: {replication: $v}}' >"$f"
    )
    kc b patch secret "$LAB_PXC-secrets" -n "$LAB_NS" --type=merge --patch-file "$f" >/dev/null
    rc=$?
    rm -f "$f"
    return $rc
}

# ALTER USER on a running node of cluster-b (Galera replicates it to the others), through
# stdin: never on a command line.
repl_password_on_b() {
    local n
    for n in "${LAB_NODES[@]}"; do
        node_alive b "$n" || continue
        printf "ALTER USER 'replication'@'%%' IDENTIFIED BY '%s';\n" "$1" | sql_sock b "$n" && return 0
    done
    return 1
}

fault_change_repl_password() {
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    local pw
    pw=$(gen_password)
    repl_password_on_b "$pw" || die "could not change the replication password on cluster-b"
    repl_secret_set "$pw" || die "could not update Secret $LAB_PXC-secrets in cluster-b"
    # The channel keeps its connection until it reconnects: make it reconnect now.
    SQL_TIMEOUT=10 sql a 1 "STOP SLAVE '$LAB_CHANNEL' IO_THREAD; START SLAVE '$LAB_CHANNEL' IO_THREAD" 2>/dev/null || true
    wait_until 30 "the channel's IO thread to fail" channel_io_failed || true
    say "replication password of cluster-b rotated (server and Secret $LAB_PXC-secrets); the channel still has the old one: IO error $(channel_field a Last_IO_Errno)"
    say "undo: pxcmesh lab fault restore-repl-password"
}

fault_restore_repl_password() {
    repl_password_on_b "$PW_REPLICATION" || die "could not set the replication password on cluster-b"
    repl_secret_set "$PW_REPLICATION" || die "could not update Secret $LAB_PXC-secrets in cluster-b"
    node_alive a 1 || die "cluster-a/1 (the replica) is not running"
    sql_sock a 1 <<EOF || die "could not set the channel's password"
STOP SLAVE '$LAB_CHANNEL';
CHANGE MASTER '$LAB_CHANNEL' TO MASTER_PASSWORD='$PW_REPLICATION';
START SLAVE '$LAB_CHANNEL';
EOF
    wait_until 30 "channel $LAB_CHANNEL to run" channel_running || warn "channel $LAB_CHANNEL is not running yet"
    say "replication password restored on cluster-b, in its Secret and in the channel"
}

# The kubelet's part when a pod is re-created (deleted, restarted): its container starts
# afresh, so a server that is down or hung starts again (a hung one is killed first). A
# running server is left alone, as the lab's restarts of healthy pods always were. Called
# by the sync loop with each PXC pod's uid; the start runs in the background so that the
# loop goes on.
kubelet_pod_seen() {
    local c=$1 n=$2 uid=$3 f old pid
    f=$LAB_DIR/run/pod-$c$n.uid
    old=$(cat "$f" 2>/dev/null)
    [[ $old == "$uid" ]] && return 0
    printf '%s\n' "$uid" >"$f"
    [[ -n $old && $(cat "$LAB_DIR/state" 2>/dev/null) == ready ]] || return 0
    [[ $(node_pod_want "$c" "$n") == ready ]] && return 0
    [[ -e $LAB_DIR/run/starting-$c$n ]] && return 0
    printf '%s kubelet: pod %s of %s re-created: restarting its server\n' "$(date -u +%FT%TZ)" \
        "$(pod_name "$c" "$n")" "$(cluster_name "$c")" >>"$LAB_DIR/log/dns-sync.log"
    : >"$LAB_DIR/run/starting-$c$n"
    (
        if pid=$(pid_of "$(node_pidfile "$c" "$n")"); then
            kill -KILL "$pid"
            kill -CONT "$pid" 2>/dev/null
            wait_until 10 "pid $pid to exit" pid_gone "$pid"
            rm -f "$(node_pidfile "$c" "$n")"
        fi
        fault_start_node "$c" "$n"
        rm -f "$LAB_DIR/run/starting-$c$n"
    ) </dev/null >>"$LAB_DIR/log/dns-sync.log" 2>&1 9>&- &
}
