/* actions: the one place the console writes to a cluster, runs SQL on a server or runs a
 * probe. Views (and the setup walkthrough) call the actions_* functions with names they
 * read from the model; each write first opens a confirmation dialog naming what it will
 * do and where (cluster, namespace, object, server), and only on Yes starts the backend's
 * asynchronous request. Progress and outcome go to the status bar (app_flash) and the
 * outcome to the event log (model_event). Every write is refused, with the reason in the
 * status bar, in read-only mode and in a replay; the keys that lead here are KEY_DANGEROUS
 * and hidden there anyway.
 *
 * It also owns the probe store: the latest result of every probe run from the console,
 * keyed by (kind, target, from where), with the channel it was run for, whether it is
 * running now, and when it ran; the Probes view shows it and the setup walkthrough reads
 * its in-mesh results.
 *
 * The app owns the struct actions (actions_new / actions_free) and routes keys to the
 * dialog while one is open (actions_dialog_*). Loop thread only, everywhere. */
#ifndef PXC_TUI_ACTIONS_H
#define PXC_TUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>
#include <jansson.h>

#include "pxerr.h"
#include "strbuf.h"
#include "probe/probe.h"

struct app;
struct actions;

/* Owned by the app. a is borrowed and outlives it. */
struct actions *actions_new(struct app *a);
/* Cancel every request and probe (no callback reaches a view afterwards); call before the
 * kube clients are freed. NULL does nothing. */
void actions_free(struct actions *ac);

/* ---- the dialog (the app routes keys and drawing here while it is open) ---- */
bool actions_dialog_open(const struct actions *ac);
/* key: a wkey (Enter already mapped to KM_ENTER by the app is accepted too). */
void actions_dialog_key(struct actions *ac, int key);
/* Draw the open dialog centred over the body window of h x w. */
void actions_dialog_draw(struct actions *ac, WINDOW *win, int h, int w);

/* ---- writes: each confirms first; strings borrowed for the call ---- */
/* Label namespace ns of cluster istio-injection=enabled. */
void actions_label_namespace(struct app *a, const char *cluster, const char *ns);
/* `kubectl rollout restart statefulset` ns/sts of cluster. */
void actions_restart_statefulset(struct app *a, const char *cluster, const char *ns,
                                 const char *sts);
/* Delete ServiceEntry ns/name of cluster. */
void actions_delete_sentry(struct app *a, const char *cluster, const char *ns, const char *name);
/* Validate docs (a JSON array, borrowed: copied) against the CRDs, read the live objects,
 * dry-run them on the server, then show the diff and apply on Yes. what: one line for the
 * dialog title and the log ("ServiceEntry for pxc-cluster.cluster-b.global"). */
void actions_apply(struct app *a, const char *cluster, const json_t *docs, const char *what);
/* START (start true) or STOP the channel on server of cluster through its MySQL poller. */
void actions_channel(struct app *a, const char *cluster, const char *server, const char *channel,
                     bool start);
/* Create channel on the replica's server: CHANGE SOURCE to host:3306 with the replication
 * user (password read from the source cluster's PXC Secret, key "replication"), then START.
 * dialect: the replica's, as m_channel->dialect names it ("mariadb", "mysql"...; NULL:
 * "mysql"), for the statements shown in the dialog; the server's own runs. */
void actions_create_channel(struct app *a, const char *replica, const char *source, const char *ns,
                            const char *pxc, const char *channel, const char *host,
                            const char *dialect);
/* Those statements with the password masked, appended to out. 0, or PXE_* with err. */
int actions_create_channel_sql(const char *dialect, const char *channel, const char *host,
                               struct strbuf *out, struct pxerr *err) PXC_MUST_CHECK;
/* Ask for a path (default ~/pxcmesh-KIND-NAME.yaml) and write yaml there (no cluster
 * write: allowed in read-only mode and replays). */
void actions_copy_yaml(struct app *a, const char *kind, const char *name, const char *yaml);

/* ---- probes ---- */
/* Run a probe now. cluster NULL: locally from this machine; else in-mesh, through a probe
 * pod in cluster's namespace ns (creates a pod: confirmed, refused in read-only mode).
 * owner (may be NULL) keys the result to a channel ("cluster/channel"). */
void actions_probe(struct app *a, enum probe_kind kind, const char *target, const char *cluster,
                   const char *ns, const char *owner);
/* DNS and TCP (in-mesh also Envoy) for host:port: locally when cluster is NULL, else from
 * a probe pod in cluster's namespace ns after one confirmation. */
void actions_probe_host(struct app *a, const char *host, int port, const char *cluster,
                        const char *ns, const char *owner);
/* Probe every source the channel's replica may use (its source host and each failover
 * host) from the channel's cluster in-mesh: DNS and TCP per host, results keyed to
 * "cluster/channel". Confirms (a probe pod is created). */
void actions_probe_channel(struct app *a, const char *cluster, const char *channel);

/* The probe store: entries in the order they were first run. Borrowed until the next
 * actions_* call or loop turn. */
struct probe_entry {
    uint64_t id; /* stable row id */
    enum probe_kind kind;
    char target[300];
    char cluster[128]; /* "" local */
    char ns[128];      /* in-mesh: the probe pod's namespace */
    char owner[256];   /* "cluster/channel" or "" */
    bool running;      /* a run is in flight (the last result, if any, is older) */
    bool has_result;
    struct probe_result r; /* the last finished run */
    int64_t started_ms;    /* wall ms the running run started */
    /* The ServiceEntry declaring the target's host when the last run started ("" none)
     * and a fingerprint of its spec: a result is outdated once either changes. (Not its
     * changed_ms: every watch event or relist bumps that, changed or not.) */
    char se_ref[300];
    uint64_t se_spec;
    char run_se_ref[300]; /* the same for the run in flight */
    uint64_t run_se_spec;
};
size_t actions_probe_count(const struct actions *ac);
const struct probe_entry *actions_probe_at(const struct actions *ac, size_t i);
const struct probe_entry *actions_probe_find_id(const struct actions *ac, uint64_t id);
/* The latest finished in-mesh result of kind for target from cluster, or NULL. */
const struct probe_result *actions_probe_result(const struct actions *ac, enum probe_kind kind,
                                                const char *target, const char *cluster);
/* Run the entry again (same kind, target, place; in-mesh ones confirm). */
void actions_probe_rerun(struct app *a, uint64_t id);
/* Cancel the entry's running probe (its pod is deleted). */
void actions_probe_cancel(struct app *a, uint64_t id);
/* Why the entry's result no longer describes the present ("" when it does): the target's
 * ServiceEntry changed after it ran, the channel no longer uses that host... into buf. */
void actions_probe_outdated(struct app *a, const struct probe_entry *e, char *buf, size_t n);

/* Incremented on every store change, for views that cache by it. */
uint64_t actions_seq(const struct actions *ac);

#endif
