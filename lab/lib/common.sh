# lab/lib/common.sh: shared helpers of labctl (sourced, never run).
# shellcheck shell=bash
#
# Everything the lab knows about itself lives in files under $LAB_DIR, so that `status`,
# `fault` and `down` work from any shell, and a crashed lab can be found and cleaned:
#   lab.env       PREFIX and the lab's identity (no secrets)
#   secrets.env   the generated passwords and API token
#   run/*.pid     one pid file per process the lab started
#   log/          logs of dnsmasq, kubesim, the DNS sync loop and labctl itself
# Every file is mode 600 from its creation (labctl's umask); secrets never go into a
# program's arguments, which `ps` shows to everyone: they travel in files and on stdin.
# Addresses: cluster A's node N is $PREFIX.10.N, cluster B's $PREFIX.20.N, the DNS server
# $PREFIX.53.1, the API servers $PREFIX.10.100 and $PREFIX.20.100. Loopback only.

# shellcheck disable=SC2034 # used by the other lib/*.sh files
LAB_CLUSTERS=(a b)
LAB_NODES=(1 2 3)
LAB_PXC=pxc-cluster
LAB_NS=pxc
LAB_CHANNEL=cluster_b_source
LAB_SE_HOST_B=pxc-cluster.cluster-b.global

say() { printf '%s\n' "$*"; }
warn() { printf 'lab: %s\n' "$*" >&2; }
die() {
    printf 'lab: %s\n' "$*" >&2
    exit 1
}
usage_die() {
    printf 'lab: %s\n' "$*" >&2
    exit 2
}

# Which cluster letter a name means: a, b, cluster-a, cluster-b, A, B.
cluster_letter() {
    case "${1,,}" in
    a | cluster-a) echo a ;;
    b | cluster-b) echo b ;;
    *) return 1 ;;
    esac
}
cluster_name() { echo "cluster-$1"; }
cluster_octet() { [[ $1 == a ]] && echo 10 || echo 20; }
node_ip() { echo "$PREFIX.$(cluster_octet "$1").$2"; }
api_ip() { echo "$PREFIX.$(cluster_octet "$1").100"; }
dns_ip() { echo "$PREFIX.53.1"; }
node_dir() { echo "$LAB_DIR/$1$2"; }
node_sock() { echo "$LAB_DIR/$1$2/mysqld.sock"; }
node_pidfile() { echo "$LAB_DIR/run/mariadbd-$1$2.pid"; }
pod_name() { echo "$LAB_PXC-pxc-$(($2 - 1))"; }

# wait_until SECONDS DESCRIPTION CMD...: poll CMD every 0.5 s until it succeeds; bounded.
wait_until() {
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    while ! "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            warn "timed out after ${limit}s waiting for $what"
            return 1
        fi
        sleep 0.5
    done
}

# Every process the lab leaves running is started with fd 9 (labctl's lock on DIR/.lock)
# closed ("9>&-"), or it would hold the lock after labctl exits.

# A pid file names a live process of ours only if the process is alive AND its command
# line mentions the lab directory (as "DIR/", so that /x/lab1 never claims /x/lab10's):
# after a reboot or a crash the pid may belong to something else, which we must never
# signal.
pid_of() {
    local f=$1 pid
    [[ -s $f ]] || return 1
    read -r pid <"$f" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/cmdline ]] || return 1
    local state
    state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ $state == Z ]] && return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$LAB_DIR/" || return 1
    echo "$pid"
}
alive() { pid_of "$1" >/dev/null; }

# stop_pidfile FILE [SECONDS]: TERM, wait, then KILL; the pid file is removed. A stopped
# (SIGSTOP) process is continued first, or it would never handle TERM.
stop_pidfile() {
    local f=$1 limit=${2:-30} pid
    if pid=$(pid_of "$f"); then
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + limit))
        while [[ -d /proc/$pid ]] && alive "$f" && ((SECONDS < deadline)); do sleep 0.2; done
        if alive "$f"; then
            warn "pid $pid ($(basename "$f" .pid)) ignored SIGTERM for ${limit}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 10))
            while alive "$f" && ((SECONDS < deadline)); do sleep 0.2; done
        fi
    fi
    rm -f "$f"
}

gen_password() { openssl rand -base64 18 | tr -d '/+=\n' | cut -c1-20; }

load_env() {
    [[ -f $LAB_DIR/lab.env ]] || die "no lab in $LAB_DIR (lab.env missing); start one with: pxcmesh lab up --dir $LAB_DIR"
    # shellcheck disable=SC1091
    source "$LAB_DIR/lab.env"
    # shellcheck disable=SC1091
    [[ -r $LAB_DIR/secrets.env ]] && source "$LAB_DIR/secrets.env"
    return 0
}

# The account labctl itself uses over each server's socket: mariadb-install-db gives the
# OS user that ran it a unix_socket account, so no password is needed (or stored) for it.
sql_sock() {
    local c=$1 n=$2
    shift 2
    # timeout: a hung (SIGSTOPped) server accepts the connection and never answers.
    timeout "${SQL_TIMEOUT:-60}" mariadb --no-defaults --socket="$(node_sock "$c" "$n")" -u "$(id -un)" \
        --connect-timeout=5 -N -B "$@"
}
sql() {
    local c=$1 n=$2
    shift 2
    sql_sock "$c" "$n" -e "$*"
}
wsrep_var() { SQL_TIMEOUT=5 sql "$1" "$2" "SHOW GLOBAL STATUS LIKE '$3'" 2>/dev/null | awk '{print $2}'; }
