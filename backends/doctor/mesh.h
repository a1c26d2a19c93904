/* mesh: what a ServiceEntry for a remote cluster's PXC says, decided once for everyone who
 * makes or checks one: `generate serviceentry --endpoints-from-cluster`, the guided set-up,
 * the ServiceEntries view's corrected manifest and the doctor.
 *
 * The rule (docs/manifests.md, "Endpoints"): a ServiceEntry for cluster X is for the host
 * NAME.X.global, and its endpoints are X's node InternalIPs, every node that reports one,
 * each once, in address order. Pure functions of the model; loop thread (the model's). */
#ifndef PXC_BACKENDS_DOCTOR_MESH_H
#define PXC_BACKENDS_DOCTOR_MESH_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "strbuf.h"

/* The endpoints of a ServiceEntry for remote: up to max addresses into out, sorted (IPv4
 * numerically, then IPv6, then anything else by text). Returns how many remote has in all,
 * which is more than max when out was too small (then out holds the first max). 0: no node
 * of remote reports an InternalIP (nodes not listed yet, or not listable). The strings are
 * borrowed from remote's nodes: valid until its nodes change. */
int mesh_endpoints(const struct m_cluster *remote, const char **out, int max);

/* Is address an endpoint the rule gives for remote (one of its node InternalIPs)? */
bool mesh_is_endpoint(const struct m_cluster *remote, const char *address);

/* Are a and b the same address (as IP addresses when both parse as one, so "::1" and
 * "0::1" are; else as text)? */
bool mesh_address_equal(const char *a, const char *b);

/* Split a ServiceEntry host NAME.CLUSTER.global (".global" in any case) into name and
 * cluster (either buffer may be NULL). false, and the buffers untouched, when host has
 * another form or a part does not fit its buffer. */
bool mesh_host_parse(const char *host, char *name, size_t name_n, char *cluster,
                     size_t cluster_n);

/* The replication channels of c that use a host of se: those reading from it now (their
 * source host, or a host of their MySQL 8 failover list) and those the PXC CRs declare with
 * it as a source. One line each appended
 * to out ("channel cluster_b_source on pxc-cluster-pxc-0 reads from
 * pxc-cluster.cluster-b.global"), for the confirmation of a deletion. Returns how many. */
int mesh_sentry_users(const struct m_cluster *c, const struct m_sentry *se, struct strbuf *out);

/* A ServiceEntry cluster c lacks: the host NAME.REMOTE.global of a PXC of another cluster
 * (or a channel's source host of that form) that no ServiceEntry of c declares. */
struct mesh_missing {
    char remote[128]; /* the remote cluster */
    char name[128];   /* its PXC's name: the host's first label */
    char host[300];   /* NAME.REMOTE.global */
    char ns[128];     /* where it would go in c: the namespace of c's PXC (of the pod running
                         the channel that needs it), else "pxc" */
    int n_users;      /* channels of c that use the host as their source: they need it */
};

/* The ServiceEntries c lacks, up to max into out, by host; returns how many in all. One per PXC of
 * every other cluster of m, plus every NAME.X.global source host of c's channels where X is a
 * cluster of m. */
int mesh_missing(const struct model *m, const struct m_cluster *c, struct mesh_missing *out,
                 int max);

#endif
