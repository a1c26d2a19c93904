/* model: what the console knows about every cluster, as plain C structs. Backends fill
 * it (on the loop thread only) through model_* calls, which set dirty bits; views read
 * it and redraw what is dirty. Strings that repeat across objects (namespaces, phases,
 * images, states) are interned in the model's pool and borrowed by the objects.
 *
 * Ownership: the model owns every cluster and object in it. Pointers returned by the
 * lookup and upsert calls are borrowed: valid until that object is removed or the
 * cluster is dropped. Loop thread only, everywhere. */
#ifndef PXC_BACKENDS_MODEL_MODEL_H
#define PXC_BACKENDS_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "intern.h"
#include "pxerr.h"
#include "vec.h"

/* Dirty bits: what changed since the last frame. Views declare an interest mask. */
enum {
    DIRTY_CLUSTERS = 1u << 0, /* reachability, errors, istio, the set of clusters */
    DIRTY_NAMESPACES = 1u << 1,
    DIRTY_PODS = 1u << 2,
    DIRTY_PXC = 1u << 3,
    DIRTY_SENTRIES = 1u << 4,
    DIRTY_CHANNELS = 1u << 5,
    DIRTY_FINDINGS = 1u << 6,
    DIRTY_EVENTS = 1u << 7,
    DIRTY_GALERA = 1u << 8,
    DIRTY_PROBES = 1u << 9, /* the probe results (model_probe.h) */
    DIRTY_NODES = 1u << 10,
    DIRTY_SERVERS = 1u << 11, /* a MySQL server's read succeeded after failing, or failed */
    DIRTY_ALL = 0xffffu,
};

enum injection_mode {
    INJ_NONE,     /* no label: injection off unless the webhook says otherwise */
    INJ_ENABLED,  /* istio-injection=enabled */
    INJ_DISABLED, /* istio-injection=disabled */
    INJ_REVISION, /* istio.io/rev=REV */
};

enum sidecar_state {
    SIDECAR_DISABLED, /* namespace not labelled, no sidecar: nothing expected */
    SIDECAR_INJECTED, /* istio-proxy container or native sidecar init container */
    SIDECAR_MISSING,  /* namespace labelled but the pod has none */
};

enum thread_state { THR_UNKNOWN, THR_NO, THR_YES, THR_CONNECTING };

struct m_namespace {
    const char *name; /* interned */
    enum injection_mode injection;
    const char *revision; /* interned; set for INJ_REVISION */
    int64_t created_ms;   /* wall ms, 0 unknown; injection restarts are judged against it */
};

struct m_galera {
    bool known;           /* false: no Galera status read (yet) */
    const char *state;    /* interned wsrep_local_state_comment: Synced, Donor/Desynced, ... */
    int cluster_size;     /* wsrep_cluster_size, -1 unknown */
    const char *status;   /* interned wsrep_cluster_status: Primary, non-Primary, Disconnected */
    bool ready;           /* wsrep_ready */
    bool connected;       /* wsrep_connected */
    double fc_paused;     /* wsrep_flow_control_paused, 0..1 */
    int recv_queue;       /* wsrep_local_recv_queue */
    int send_queue;       /* wsrep_local_send_queue */
    int64_t updated_ms;   /* wall ms of the last good read: what the fields above are as of */
    const char *error;    /* interned: the last read error, NULL none. A pointer, not a
                             buffer: every one of 20,000 pods carries this struct. */
    int64_t as_of_ms;     /* wall ms of the newest read, good or failed; 0 none */
    bool seen;            /* a read was made, good (known) or failed (error): the snapshot
                             writes the object, with the last good state, instead of null */
};

struct m_pod {
    const char *ns;       /* interned */
    char *name;           /* owned */
    const char *phase;    /* interned: Pending, Running, Succeeded, Failed, Unknown */
    bool ready;
    char ip[46];
    const char *node;     /* interned node name */
    enum sidecar_state sidecar;
    bool restart_needed;  /* labelled namespace, created without a sidecar */
    const char *instance; /* interned app.kubernetes.io/instance, NULL if none */
    const char *component;/* interned app.kubernetes.io/component (pxc, haproxy, ...) */
    bool replication_pod; /* label percona.com/replicationPod=true */
    int restarts;         /* sum of container restartCount */
    int64_t created_ms;   /* wall ms */
    /* Facts the sidecar state is derived from (kobj), kept so that a namespace label
     * change can re-derive every pod without its JSON (kobj_recompute_sidecars). */
    bool has_proxy;       /* istio-proxy container, or native sidecar init container */
    signed char inject_opt; /* pod's sidecar.istio.io/inject: 0 unset, -1 "false"
                             * (label or annotation; hostNetwork pods too: Istio never
                             * injects them), 1 "true" (label: opts in) */
    bool rev_label;       /* pod label istio.io/rev set: opts in where ns has no label */
    signed char read_only; /* the server's @@read_only: 0 unknown, 1 off, 2 on */
    struct m_galera galera;
    size_t slot;          /* private: index in cluster->pods (swap-remove) */
};

struct m_pxc {
    const char *ns;       /* interned */
    char *name;           /* owned */
    const char *state;    /* interned status.state: ready, initializing, error, ... */
    int size;             /* spec.pxc.size */
    int ready;            /* status.pxc.ready */
    bool expose;          /* spec.pxc.expose.enabled */
    char *secrets_name;   /* owned spec.secretsName */
    struct vec channels;  /* owned struct m_pxc_channel * from spec.pxc.replicationChannels */
};

struct m_pxc_source {
    char *host;
    int port;
    int weight;
};

struct m_pxc_channel {
    char *name;
    bool is_source;
    int n_sources;
    struct m_pxc_source *sources; /* owned array */
};

struct m_port {
    int number;
    char name[64];
    char protocol[16];
};

struct m_endpoint {
    char address[128];
    int port; /* 0: the service port */
};

struct m_sentry {
    const char *ns;        /* interned */
    char *name;            /* owned */
    int n_hosts;
    char **hosts;          /* owned */
    int n_addresses;
    char **addresses;      /* owned: spec.addresses (VIPs/CIDRs) */
    int n_ports;
    struct m_port *ports;  /* owned */
    const char *location;  /* interned MESH_INTERNAL / MESH_EXTERNAL */
    const char *resolution;/* interned STATIC / DNS / NONE / DNS_ROUND_ROBIN */
    int n_endpoints;
    struct m_endpoint *endpoints; /* owned */
    int64_t changed_ms;    /* wall ms of the last change seen */
};

struct m_node {
    char *name;            /* owned */
    char internal_ip[46];
    char external_ip[46];
};

#define LAG_HISTORY 300 /* samples; at the default 2 s refresh: 10 minutes */

struct m_channel {
    char *name;             /* owned; "" is MySQL's default channel */
    char *server;           /* owned: the pod or host:port that runs it */
    char *source_host;      /* owned */
    int source_port;
    enum thread_state io, sql;
    char *io_state;         /* owned: Slave_IO_State text, "" none */
    char *sql_state;        /* owned: Slave_SQL_Running_State */
    double lag_s;           /* -1: unknown (NULL Seconds_Behind_Source) */
    bool lag_from_heartbeat;
    int last_io_errno;
    char *last_io_error;    /* owned, "" none */
    int64_t last_io_error_ms; /* wall ms, 0 unknown */
    int last_sql_errno;
    char *last_sql_error;   /* owned */
    int64_t last_sql_error_ms;
    char *retrieved_gtid;   /* owned */
    char *executed_gtid;    /* owned */
    int64_t gtid_gap;       /* transactions retrieved but not executed, -1 unknown */
    bool auto_position;
    int retry_count;
    int64_t state_since_ms; /* wall ms when io/sql last changed */
    int64_t updated_ms;     /* wall ms of the last good read, 0: never read (a channel the
                               PXC CR declares on a server that could not be read) */
    int64_t as_of_ms;       /* wall ms of the newest read of its server, good or failed */
    char error[160];        /* the read itself failed (server unreachable), "" none */
    signed char gtid_mode;  /* 0 unknown, 1 off (file/position), 2 on (auto-position/GTID) */
    /* Lag history ring: lag_hist[(lag_head + i) % LAG_HISTORY] oldest first. */
    float lag_hist[LAG_HISTORY]; /* -1 unknown */
    int lag_head, lag_len;
    /* Filled by mysql_poll. Fixed arrays and static strings: nothing to free. */
    const char *lag_source;   /* static: "heartbeat", "performance_schema",
                                 "Seconds_Behind_Source"; NULL: unknown */
    bool lag_unreliable;      /* from Seconds_Behind_Source: NULL while the IO thread
                                 reconnects, 0 while the SQL thread waits */
    int64_t last_heartbeat_ms;/* MySQL 8 p_s LAST_HEARTBEAT_TIMESTAMP, 0 unknown */
    const char *dialect;      /* static sqlq_dialect_name(): "mariadb", "mysql", ... */
    const char *route;        /* static: how its server is reached, as m_server.route */
    int n_failover;           /* MySQL 8 asynchronous connection failover sources */
    struct m_failover_source {
        char host[256]; /* a DNS name: up to 255 bytes, as replstat reads it */
        int port;
        int weight;
        bool in_use;          /* the source the channel reads from now */
    } failover[8];
    int64_t source_server_id; /* Master_Server_Id of the source it read from, 0 unknown */
    /* The server it reads from now (model_source.h), each owned, "" unknown: the replica's
     * status names the host it was given (a mesh name), not the address that name led to. */
    char *src_cluster;      /* the model's cluster of that server */
    char *src_server;       /* its server name */
    char *src_address;      /* "host:port" as the poller reaches it */
    int64_t src_since_ms;   /* wall ms it was first seen reading from it, 0 unknown */
    char *src_last;         /* owned: the last source known, described, kept while unknown */
};

/* One MySQL server a poller reads, and how its reads go: every server that could not be
 * read is a fact the doctor reports, whatever else it hides. */
struct m_server {
    char *name; /* owned: the config's name, or the pod's (discover) */
    char host[256];
    int port;
    int64_t updated_ms;     /* wall ms of the last good read, 0 never */
    int64_t as_of_ms;       /* wall ms of the newest read, good or failed, 0 none yet */
    int64_t error_since_ms; /* wall ms of the first failed read of this failure, 0 none */
    char error[256];        /* the newest read's failure in words, "" none */
    bool hung;              /* that failure was a timeout: it accepts and does not answer */
    int n_channels;         /* channels in its last good read */
    int64_t server_id;      /* @@server_id at the last good read, 0 unknown */
    int binlog_dumps;       /* binlog dump threads (replicas reading from it) at the last
                               good read, -1 unknown */
    const char *route;      /* how it is reached (mysql_route.h): static "direct", "pod-ip",
                               "port-forward"; NULL unknown */
    const char *route_error; /* interned: why that route fails now, in words (an RBAC refusal
                                of pods/portforward, the pod gone), NULL none */
};

enum finding_severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* A finding's fix as data. The kinds after FIX_COMMAND are the ones pxcmesh runs itself
 * (the console's fix key, `pxcmesh doctor --fix`); FIX_COMMAND is a command for the
 * operator to run; FIX_NONE is advice in words (hint) with no single command. */
enum fix_kind {
    FIX_NONE,
    FIX_COMMAND,
    FIX_LABEL_NAMESPACE, /* cluster, ns: label istio-injection=enabled */
    FIX_RESTART_STS,     /* cluster, ns, name: rollout restart the StatefulSet */
    FIX_APPLY_SENTRY,    /* cluster, ns, name (the remote PXC), object, remote, address (VIP,
                            NULL derived): the ServiceEntry from remote's nodes, applied */
    FIX_START_CHANNEL,   /* cluster, server, channel: START REPLICA */
    FIX_REPOINT_SOURCE,  /* cluster, server, channel, host: STOP, CHANGE SOURCE host, START */
    FIX_SOURCE_PASSWORD, /* cluster, server, channel, remote, ns, name (its PXC Secret):
                            STOP, CHANGE SOURCE password from the Secret's key replication,
                            START */
    /* Changes the doctor never proposes, which the command line's write verbs run through
     * the same runner (inject disable, serviceentry delete). */
    FIX_UNLABEL_NAMESPACE, /* cluster, ns: remove the label istio-injection */
    FIX_DELETE_SENTRY,     /* cluster, ns, object: delete the ServiceEntry */
    FIX__COUNT
};

struct m_fix {
    enum fix_kind kind;
    char *command; /* owned: the exact command, runnable as printed; "" none */
    char *what;    /* owned: the change in one line, "" none */
    char *where;   /* owned: "cluster cluster-a, server pxc-cluster-pxc-0", "" none */
    char *warning; /* owned: what the fix risks (skipping drifts the data), "" none */
    /* The action's arguments, owned, NULL when the kind does not use them. */
    char *cluster, *ns, *name, *object, *server, *channel, *host, *remote, *address;
};

struct m_finding {
    enum finding_severity severity;
    char *code;    /* owned, stable: e.g. "SE_MISSING" */
    char *cluster; /* owned */
    char *object;  /* owned: "channel/cluster_b_source", "namespace/pxc" */
    char *message; /* owned */
    char *hint;    /* owned: what to do, in words */
    int cause;     /* index of the finding this one is caused by, -1 none */
    int64_t since_ms; /* wall ms since when it holds (its onset, else first seen), 0 unknown */
    struct m_fix fix;
};

struct m_event {
    int64_t wall_ms;
    const char *cluster;  /* interned */
    char *what;           /* owned: one line */
    int level;            /* 0 info, 1 warning, 2 error */
};

struct m_cluster {
    char *name;           /* owned display name */
    char *context;        /* owned kubeconfig context */
    char *server;         /* owned API server URL */
    bool reachable;
    char error[256];      /* "" none; what went wrong reaching it, in words */
    bool insecure;        /* insecure-skip-tls-verify in force */
    bool istio_installed;
    const char *istio_version; /* interned, NULL unknown */
    int64_t updated_ms;   /* wall ms of the last good contact */
    bool listing;         /* its first Kubernetes lists are in flight: an object missing from
                             the model proves nothing yet (live sets it; false otherwise) */

    struct vec namespaces; /* owned struct m_namespace * */
    struct vec pods;       /* owned struct m_pod * */
    struct vec pxcs;       /* owned struct m_pxc * */
    struct vec sentries;   /* owned struct m_sentry * */
    struct vec channels;   /* owned struct m_channel * */
    struct vec nodes;      /* owned struct m_node * */
    struct vec servers;    /* owned struct m_server *: the MySQL servers polled, in order */
    struct hmap pod_idx;   /* private: "ns/name" -> struct m_pod * */
    uint64_t pod_names_gen; /* read-only: bumped when a pod is added or removed (not when
                               one changes), for caches of lookups by name */
    uint64_t pods_seq;      /* read-only: the model's pods_seq when one of its pods was last
                               upserted or removed (see model_cluster_pods_seq) */
};

#define MODEL_MAX_EVENTS 1000

struct model {
    struct vec clusters;   /* owned struct m_cluster * */
    struct vec findings;   /* owned struct m_finding * */
    struct m_event *events;/* ring of MODEL_MAX_EVENTS, newest at events[(ev_head+ev_len-1)%MAX] */
    int ev_head, ev_len;
    struct intern strings;
    unsigned dirty;        /* DIRTY_* since the views last drew */
    bool replay;           /* loaded from a snapshot: read-only */
    int64_t generated_ms;  /* snapshot time (replay), or 0 */
    uint64_t seq;          /* bumped on every change; views cache by it */
    uint64_t pods_seq;     /* bumped with DIRTY_PODS/NAMESPACES/GALERA/CLUSTERS only: views
                              listing thousands of pods refill them by it, not on every
                              channel sample. Starts at 1. */
    uint64_t pods_seq_shared; /* read-only: pods_seq of the last such change that is not one
                                 cluster's pod upserted or removed (model_cluster_pods_seq) */
    struct vec probes;     /* owned struct m_probe *: the console's probe results, in the
                              order first run (model_probe.h); not part of a snapshot */
    uint64_t probe_next_id; /* private: model_probe_upsert */
    uint64_t findings_seq;  /* bumped with DIRTY_FINDINGS: views marking what findings name
                               refill by it. Starts at 1. */
    unsigned touched;       /* read-only: the bits of the model_touch now calling the dirty
                               hook (so that a hook can ignore what it made itself) */
    /* private: model_set_dirty_cb */
    void (*on_dirty)(struct model *m, void *arg);
    void *on_dirty_arg;
};

struct model *model_new(void); /* owned: model_free */
void model_free(struct model *m);

/* Clusters. add: takes nothing, copies the strings. */
struct m_cluster *model_cluster_add(struct model *m, const char *name, const char *context,
                                    const char *server);
struct m_cluster *model_cluster_find(struct model *m, const char *name);
void model_cluster_remove(struct model *m, struct m_cluster *c);
void model_cluster_set_error(struct model *m, struct m_cluster *c, const char *fmt, ...)
    PXC_PRINTF(3, 4);
void model_cluster_set_reachable(struct model *m, struct m_cluster *c, bool reachable);
void model_cluster_set_listing(struct model *m, struct m_cluster *c, bool listing);

/* Objects: upsert returns the existing object or a new zeroed one (name set), marked dirty.
 * Borrowed pointers. remove frees the object. */
struct m_namespace *model_ns_upsert(struct model *m, struct m_cluster *c, const char *name);
struct m_namespace *model_ns_find(struct m_cluster *c, const char *name);
void model_ns_remove(struct model *m, struct m_cluster *c, const char *name);

struct m_pod *model_pod_upsert(struct model *m, struct m_cluster *c, const char *ns,
                               const char *name);
struct m_pod *model_pod_find(struct m_cluster *c, const char *ns, const char *name);
/* The pod that runs the channel's server (ch->server names the pod, its IP, or IP:PORT), or
 * NULL. Borrowed like the pod. */
const struct m_pod *model_channel_pod(const struct m_cluster *c, const struct m_channel *ch);
void model_pod_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name);

struct m_pxc *model_pxc_upsert(struct model *m, struct m_cluster *c, const char *ns,
                               const char *name);
struct m_pxc *model_pxc_find(struct m_cluster *c, const char *ns, const char *name);
void model_pxc_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name);

struct m_sentry *model_sentry_upsert(struct model *m, struct m_cluster *c, const char *ns,
                                     const char *name);
struct m_sentry *model_sentry_find(struct m_cluster *c, const char *ns, const char *name);
void model_sentry_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name);
void model_sentry_clear_spec(struct m_sentry *se); /* frees hosts/ports/endpoints for refill */

struct m_node *model_node_upsert(struct model *m, struct m_cluster *c, const char *name);
void model_node_remove(struct model *m, struct m_cluster *c, const char *name);

struct m_channel *model_channel_upsert(struct model *m, struct m_cluster *c, const char *server,
                                       const char *name);
struct m_channel *model_channel_find(struct m_cluster *c, const char *server, const char *name);
void model_channel_remove(struct model *m, struct m_cluster *c, const char *server,
                          const char *name);
/* Append one lag sample (-1 unknown) to the channel's history ring. */
void model_channel_push_lag(struct m_channel *ch, double lag_s);
/* Sample i of the history, oldest first; i < ch->lag_len. */
float model_channel_lag_at(const struct m_channel *ch, int i);

/* MySQL servers, keyed by name. upsert does not touch (a read changes a server every
 * refresh; the poller touches DIRTY_SERVERS when the state the operator sees changes). */
struct m_server *model_server_upsert(struct model *m, struct m_cluster *c, const char *name);
struct m_server *model_server_find(struct m_cluster *c, const char *name);
void model_server_remove(struct model *m, struct m_cluster *c, const char *name);

/* Replace one string field (owned char *) only when it changed; returns true if it did. */
bool model_set_str(char **field, const char *value);

/* Findings: replaced as a whole set by the doctor. */
void model_findings_clear(struct model *m);
struct m_finding *model_finding_add(struct model *m, enum finding_severity sev, const char *code,
                                    const char *cluster, const char *object, const char *message,
                                    const char *hint);
/* A finding outside the model (owned: model_finding_free), for a set being built. */
struct m_finding *model_finding_new(enum finding_severity sev, const char *code,
                                    const char *cluster, const char *object, const char *message,
                                    const char *hint);
void model_finding_free(void *f); /* a vec free function; NULL does nothing */
/* Take the findings of set (a vec of struct m_finding * owned by it, emptied) as the model's,
 * unless they equal the model's (same order, every field): then they are dropped and nothing
 * is touched. Returns true when the model's findings changed (DIRTY_FINDINGS). */
bool model_findings_replace(struct model *m, struct vec *set);
bool model_finding_equal(const struct m_finding *a, const struct m_finding *b);
/* Set one of a fix's owned strings (field is &f->fix.command, ...); NULL clears to NULL. */
void model_fix_set(char **field, const char *value);
/* Free a fix's strings (each set to NULL; the kind stays). */
void model_fix_fini(struct m_fix *fx);
/* d (uninitialised): a deep copy of s (whose strings may be borrowed). */
void model_fix_copy(struct m_fix *d, const struct m_fix *s);
const char *model_fix_kind_name(enum fix_kind k);          /* "label-namespace", ..., "none" */
extern const char *const model_fix_kind_names[FIX__COUNT]; /* the same words, by kind */

/* Events: appended, the oldest dropped past MODEL_MAX_EVENTS. i = 0 is the newest. */
void model_event(struct model *m, const char *cluster, int level, const char *fmt, ...)
    PXC_PRINTF(4, 5);
const struct m_event *model_event_at(const struct model *m, int i);

/* Mark something changed: sets m->dirty |= bits and bumps m->seq. */
void model_touch(struct model *m, unsigned bits);
/* What may have changed c's pod rows, as a number that moves when they may have: one
 * cluster's list streaming in refills that cluster's rows, not every cluster's. Values come
 * from m->pods_seq, so they never repeat. Loop thread. */
uint64_t model_cluster_pods_seq(const struct model *m, const struct m_cluster *c);
/* Called from every model_touch (loop thread), so that the app can schedule a frame
 * without polling the dirty bits each loop turn. cb NULL: none. arg borrowed. A snapshot
 * load swaps the model's body: set the callback after snap_load_*. */
void model_set_dirty_cb(struct model *m, void (*cb)(struct model *m, void *arg), void *arg);

const char *model_injection_name(enum injection_mode inj); /* "enabled", "none", ... */
const char *model_sidecar_name(enum sidecar_state s);     /* "injected", "missing", ... */
const char *model_thread_name(enum thread_state t);       /* "Yes", "No", "Connecting", "?" */
const char *model_severity_name(enum finding_severity s); /* "info", "warning", "error" */

#endif
