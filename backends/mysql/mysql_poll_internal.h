/* mysql_poll_internal: what mysql_poll.c (which server to read, when, with which password)
 * and mysql_poll_apply.c (what an answer means for the model) share, and nobody else sees.
 * Loop thread only. */
#ifndef PXC_BACKENDS_MYSQL_MYSQL_POLL_INTERNAL_H
#define PXC_BACKENDS_MYSQL_MYSQL_POLL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "mysql/galera.h"
#include "mysql/mysql_poll.h"
#include "mysql/mysqlc.h"
#include "mysql/sqlq.h"

/* One MySQL server of the cluster, owned by the poller (mysql_poll.c). */
struct mp_server {
    struct mysql_poll *p;
    char *name;
    char *host;
    int port;
    struct mysqlc_conn *conn;  /* status user */
    struct mysqlc_conn *aconn; /* action user, made on first action */
    bool in_flight;
    bool waiting_cred; /* counted in the round, waiting for its password (a read) */
    bool waiting_route; /* counted in the round, its route being decided (mysql_route.h) */
    const char *route; /* static: MYSQL_ROUTE_* it is read through */
    bool seen;         /* discover: still a PXC pod */
    bool counted;      /* part of the open round */
    int status;        /* of the last read */
    bool read_once;
    bool dialect_known;
    enum sqlq_dialect dialect; /* detected at the last successful read */
    char msg[256];
    const char *pod_ns;    /* interned: namespace of the pod named like the server */
    uint64_t pod_miss_gen; /* no such pod at this pod_names_gen (+1; 0: never looked) */
    /* An answer that found no pod to land on (it came before the Kubernetes side listed
     * the pods): kept, and placed as soon as the pod is known. */
    bool g_unplaced;    /* galera_last waits for the pod */
    bool fail_unplaced; /* the last failure (msg, status) waits for the pod */
    struct galera_status galera_last;
    int64_t galera_ms; /* wall ms of galera_last */
    int64_t fail_ms;   /* wall ms of the last failed read */
};

/* The poller as the apply side sees it: where answers go and how they are named. */
struct mp_apply {
    struct model *m;     /* borrowed */
    const char *cluster; /* borrowed: the cluster's name, in the model and in events */
    bool want_override;  /* the configured dialect, not the detected one */
    enum sqlq_dialect override;
};

/* A status read of s answered (res borrowed for the call): its channels into c (borrowed;
 * upserted, sampled, removed when the server no longer has them) with events on state
 * changes, the Galera state into the pod named like s, or, res->status != 0, the failure. */
void mysql_poll__apply_status(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s,
                              const struct mysqlc_result *res);

/* A read of s failed (res->status, res->err): shown on its channels and its pod, and an
 * event when the server's state changed (s->status and s->read_once are the previous
 * read's; the caller updates them after). */
void mysql_poll__apply_failure(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s,
                               const struct mysqlc_result *res);

/* The read of s ended (res borrowed): its record in the model (struct m_server), touched
 * (DIRTY_SERVERS) only when what the operator sees changed. */
void mysql_poll__apply_server(const struct mp_apply *ap, struct m_cluster *c,
                              const struct mp_server *s, const struct mysqlc_result *res);

/* Answers of s that came before its pod was known: placed on the pod now if it is. */
void mysql_poll__place(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s);

/* A round ended: each channel that a PXC CR of c declares on its replica side and that no
 * server was read to have, while the server the operator labelled for it
 * (percona.com/replicationPod) could not be read, is kept in the model unread (threads
 * unknown, updated_ms 0, that server's error), so that the server's failure never makes
 * the channel vanish. servers: the poller's struct mp_server *, borrowed. */
void mysql_poll__hidden_channels(const struct mp_apply *ap, struct m_cluster *c,
                                 const struct vec *servers);

#endif
