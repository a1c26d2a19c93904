/* mysql_poll: the replication status of one cluster, kept current in the model. Every
 * refresh interval (config refreshSeconds, default 2 s) it asks every MySQL server of the
 * cluster for its replica status, Galera state and heartbeat lag (mysqlc, one worker thread
 * per server), and applies the answers on the loop: model_channel_upsert for each channel,
 * one lag sample per read, state-change events (started, stopped, error, recovered), and each
 * PXC pod's Galera state. A server that hangs delays nobody: it is skipped while its request
 * is outstanding, and its channels show the timeout.
 *
 * Servers: mysql.mode direct lists them; discover, auto and port-forward take the cluster's
 * PXC pods from the model on every round and reach each at its IP (port 3306) or through a
 * loopback relay to the API server (mysql_route.h), and mark the model with the route.
 * Passwords: from an environment variable or an option file (read when a connection is
 * made), or from a Kubernetes Secret (kube_secret_get on demand, kept in memory only, re-read
 * after an access-denied error).
 *
 * Threads: loop thread only. */
#ifndef PXC_BACKENDS_MYSQL_MYSQL_POLL_H
#define PXC_BACKENDS_MYSQL_MYSQL_POLL_H

#include <stdbool.h>

#include <uv.h>

#include "pxerr.h"
#include "strbuf.h"
#include "config/config.h"
#include "kube/kube.h"
#include "model/model.h"
#include "mysql/sqlq.h"

struct mysql_poll; /* opaque */

/* A round is done: every server answered, failed or timed out once. */
typedef void mysql_poll_round_cb(struct mysql_poll *p, int round, void *arg);

struct mysql_poll_opts {
    int refresh_s;                 /* 0: cfg->refresh_s */
    bool once;                     /* one round only (the CLI): no timer after it */
    bool deferred;                 /* no round until the first mysql_poll_kick (live starts
                                      reading once the Kubernetes side has synced) */
    bool readonly;                 /* refuse every action (also set by cfg->readonly) */
    struct kube_client *kc;        /* borrowed, may be NULL: Secrets and discover need it */
    mysql_poll_round_cb *on_round; /* may be NULL */
    void *arg;
};

/* Start polling cluster cc (borrowed for the call: what is needed is copied) of cfg. loop
 * and m are borrowed and must outlive the poller. The cluster is added to the model when it
 * is not there yet. The first round starts on the next loop turn. *out owned
 * (mysql_poll_free). Fails only for an unusable config (PXE_INVAL). */
int mysql_poll_start(uv_loop_t *loop, struct model *m, const struct config *cfg,
                     const struct config_cluster *cc, const struct mysql_poll_opts *opts,
                     struct mysql_poll **out, struct pxerr *err) PXC_MUST_CHECK;
/* Stop; outstanding callbacks are answered (cancelled) before this returns. Run the loop
 * afterwards so the handles can close. NULL does nothing. */
void mysql_poll_free(struct mysql_poll *p);
/* Start the next round now (after an action, or a key press); starts a deferred poller. */
void mysql_poll_kick(struct mysql_poll *p);
const char *mysql_poll_cluster(const struct mysql_poll *p); /* borrowed */
/* The MySQL user mysql_poll_action runs as (the config's actionUser): borrowed, for the
 * confirmation that names who runs the statement. */
const char *mysql_poll_action_user(const struct mysql_poll *p);
/* The poller's own last error in words (no server configured, password unavailable), ""
 * none. Per-server errors are in the model (channel error, pod galera.error, events). */
const char *mysql_poll_error(const struct mysql_poll *p);
/* Servers this poller reads, in order; name borrowed until the next round. */
int mysql_poll_n_servers(const struct mysql_poll *p);
const char *mysql_poll_server_name(const struct mysql_poll *p, int i);
/* The last read of server i: 0, or its PXE_* with msg (borrowed) in words. */
int mysql_poll_server_status(const struct mysql_poll *p, int i, const char **msg);

/* Result of an action: status 0 or PXE_*; sql_masked (borrowed, may be "") is what ran,
 * with the password masked; err (borrowed) says what went wrong. */
typedef void mysql_poll_action_cb(int status, const char *server, const char *sql_masked,
                                  const struct pxerr *err, void *arg);

/* Run a channel action on server (borrowed name, as in the model) with the action user;
 * a borrowed, copied. cb runs later on the loop, then a new round starts so the model shows
 * the effect. Errors without cb: PXE_READONLY ("read-only mode: ..."), PXE_NOTFOUND (no such
 * server), PXE_INVAL (bad channel name, from sqlq). */
int mysql_poll_action(struct mysql_poll *p, const char *server, const struct sqlq_action *a,
                      mysql_poll_action_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;

/* The exact statement mysql_poll_action would run for a on server, with the password masked,
 * appended to masked: for the confirmation dialog. Uses the dialect of the server's last
 * read (or the config override). PXE_NOTFOUND when the server is unknown or has not answered
 * yet ("pxc-0 has not answered yet: its dialect is unknown"), sqlq's errors for bad input. */
int mysql_poll_render(const struct mysql_poll *p, const char *server, const struct sqlq_action *a,
                      struct strbuf *masked, struct pxerr *err) PXC_MUST_CHECK;

#endif
