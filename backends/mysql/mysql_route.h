/* mysql_route: which way the MySQL poller reaches each PXC pod's server. mysql.mode decides:
 *   direct        the configured host:port (not this module's business: "direct")
 *   discover      the pod IP, port 3306 ("pod-ip")
 *   port-forward  a loopback relay through the API server (kube_relay.h): "port-forward"
 *   auto          (the default) the pod IP when a TCP connection to it opens within a short
 *                 timeout, else the relay; decided once per pod IP and decided again when a
 *                 read through the pod IP can no longer connect.
 * A relay is per pod and lives as long as the pod is picked; each MySQL connection through
 * it is one port-forward stream that names the pod afresh, so a re-created pod needs nothing.
 * A stream's failure in words (an RBAC refusal, the pod gone) is kept per pod so that the
 * poller can say why a read through the relay lost its connection.
 *
 * Threads: loop thread only. */
#ifndef PXC_BACKENDS_MYSQL_MYSQL_ROUTE_H
#define PXC_BACKENDS_MYSQL_MYSQL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "pxerr.h"
#include "config/config.h"
#include "kube/kube.h"
#include "model/model.h"

#define MYSQL_ROUTE_PROBE_MS_DEFAULT 1000 /* auto: how long the pod IP may take to accept */
#define MYSQL_ROUTE_WAIT 1

/* The route names of the model and the status JSON (static strings). */
#define MYSQL_ROUTE_DIRECT "direct"
#define MYSQL_ROUTE_POD_IP "pod-ip"
#define MYSQL_ROUTE_PORT_FORWARD "port-forward"

struct mysql_route; /* owned: mysql_route_free */

/* A pod whose route was being decided has one now (pick it again). Loop thread. */
typedef void mysql_route_ready_cb(void *arg);

struct mysql_route_opts {
    enum config_mysql_mode mode; /* CONFIG_MYSQL_AUTO or CONFIG_MYSQL_PORT_FORWARD */
    struct kube_client *kc;      /* borrowed, must outlive the route; NULL: no relay possible
                                    (auto then always uses the pod IP) */
    int probe_timeout_ms;        /* 0: MYSQL_ROUTE_PROBE_MS_DEFAULT */
    int open_timeout_ms;         /* a port-forward stream's connect and upgrade; 0: the
                                    client's request timeout */
    int local_port;              /* first loopback port tried per relay, counting up to the
                                    first free one; 0: any free port */
    const char *cluster;         /* for messages; copied */
    mysql_route_ready_cb *on_ready;
    void *arg;
};

/* *out owned. loop borrowed. */
struct mysql_route *mysql_route_new(uv_loop_t *loop, const struct mysql_route_opts *o);
/* Close every relay and probe; memory goes from close callbacks (run the loop). NULL: none. */
void mysql_route_free(struct mysql_route *r);

struct mysql_route_pick {
    const char *route; /* MYSQL_ROUTE_POD_IP or MYSQL_ROUTE_PORT_FORWARD */
    const char *host;  /* borrowed until the next call for this pod */
    int port;
};

/* Where to connect for pod ns/name (IP pod_ip, MySQL port port): 0 with *out filled, or
 * MYSQL_ROUTE_WAIT while the pod IP is being tried (on_ready follows). Marks the pod as in
 * use (mysql_route_sweep). */
int mysql_route_pick(struct mysql_route *r, const char *ns, const char *name, const char *pod_ip,
                     int port, struct mysql_route_pick *out);
/* A read of pod name through its route ended with status (PXE_*, 0 ok): a pod IP that can no
 * longer be connected to is tried again (and may fall back to the relay) at the next pick. */
void mysql_route_result(struct mysql_route *r, const char *name, int status);
/* Why a read through the relay failed, in words, when a stream of the pod's relay failed and
 * none delivered since: copied into buf (n bytes) and true; false when the route has nothing
 * to say (use the MySQL client's own error). */
bool mysql_route_explain(const struct mysql_route *r, const char *name, char *buf, size_t n);
/* Why auto passed over the pod IP of pod name ("the pod IP 10.0.0.5:3306: connection
 * refused"): copied into buf and true; false when it did not. */
bool mysql_route_passed_over(const struct mysql_route *r, const char *name, char *buf, size_t n);
/* Forget the pods not picked since the previous sweep (their relays close). */
void mysql_route_sweep(struct mysql_route *r);
/* The relay's local port for pod name, 0 none (tests, the bench). */
int mysql_route_relay_port(const struct mysql_route *r, const char *name);

/* Show route (static, NULL unknown) and err (NULL or "": none) on the model's MySQL server
 * named server (when the model has it) and on every channel of server; touches the model
 * only on a change. */
void mysql_route_mark(struct model *m, struct m_cluster *c, const char *server, const char *route,
                      const char *err);

#endif
