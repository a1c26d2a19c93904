/* manifest: generators for every object the setup needs (seed approaches 1-3), as
 * jansson trees with keys in the conventional order (apiVersion, kind, metadata, spec).
 * Shared by the CLI (`pxcmesh generate`) and the console's manifest preview and guided
 * setup. Generators append to docs (a JSON array, borrowed) and return 0, or fill err
 * naming the bad option. They do not validate against CRDs: call manifest_validate.
 * Pure; any thread. */
#ifndef PXC_BACKENDS_MANIFEST_MANIFEST_H
#define PXC_BACKENDS_MANIFEST_MANIFEST_H

#include <stdbool.h>

#include <jansson.h>

#include "pxerr.h"
#include "strbuf.h"

struct crdreg;

#define MF_MAX_ENDPOINTS 64
#define MF_MAX_CHANNELS 8
#define MF_MAX_SOURCES 8

struct mf_endpoint {
    const char *address; /* borrowed */
    int port;            /* 0: the service port */
};

struct mf_namespace_opts {
    const char *name;
    const char *revision; /* NULL: istio-injection=enabled; else istio.io/rev=REV */
};

struct mf_serviceentry_opts {
    const char *name;           /* the remote PXC cluster's name, e.g. "pxc-cluster" */
    const char *object_name;    /* NULL: NAME-REMOTE */
    const char *namespace;      /* where the ServiceEntry lives, e.g. "pxc" */
    const char *remote_cluster; /* "cluster-b": host NAME.REMOTE.global */
    const char *api_version;    /* NULL: networking.istio.io/v1beta1 */
    const char *address;        /* VIP; NULL: derived from the host in 240.240.0.0/16 */
    int port;                   /* 0: 3306 */
    int n_endpoints;
    struct mf_endpoint endpoints[MF_MAX_ENDPOINTS];
    const char *resolution;     /* NULL or "STATIC": endpoints are IP addresses; "DNS":
                                   host names (or addresses) the sidecar resolves */
    bool mtls;                  /* also a DestinationRule with ISTIO_MUTUAL */
    const char *peer_auth;      /* NULL, "STRICT" or "PERMISSIVE": a PeerAuthentication */
};

struct mf_pxc_source {
    const char *host;
    int port;   /* 0: 3306 */
    int weight; /* 0: 100 */
};

struct mf_pxc_channel {
    const char *name;
    bool is_source;
    int n_sources;
    struct mf_pxc_source sources[MF_MAX_SOURCES];
};

struct mf_pxc_opts {
    const char *name;
    const char *namespace;
    const char *cr_version;   /* NULL: 1.13.0 */
    const char *secrets_name; /* NULL: NAME-secrets */
    int size;                 /* 0: 3 */
    const char *image;        /* NULL: percona/percona-xtradb-cluster:8.0.32-24.2 */
    const char *memory;       /* NULL: 1G */
    const char *cpu;          /* NULL: 600m */
    const char *anti_affinity_key; /* NULL: kubernetes.io/hostname */
    bool haproxy;             /* also enable HAProxy (the operator's default front) */
    int n_channels;
    struct mf_pxc_channel channels[MF_MAX_CHANNELS];
};

struct mf_multicluster_opts {
    const char *cluster_name;
    const char *network;
    const char *mesh_id;
    bool eastwest;   /* the east-west gateway component (default true in the CLI) */
    bool expose;     /* the Gateway exposing *.local services on 15443 */
};

struct mf_remote_secret_opts {
    const char *cluster_name; /* the remote cluster's name as the mesh knows it */
    const char *server;       /* remote API server URL */
    const char *ca_data;      /* base64 PEM, or NULL with insecure */
    const char *token;        /* istio-reader-service-account token: printable ASCII, no
                                 space (a bearer token); anything else is refused */
};

enum mf_dialect { MF_MYSQL8, MF_MYSQL57, MF_MARIADB };

struct mf_repl_sql_opts {
    const char *channel;
    const char *source_host;
    int source_port;        /* 0: 3306 */
    const char *user;       /* NULL: replication */
    const char *password;   /* NULL: a placeholder the operator replaces */
    const char *user_host;  /* NULL: '%' */
    enum mf_dialect dialect;
    bool create_user;       /* also the CREATE USER / GRANT for the source side */
    bool ssl;
    bool show_password;     /* false: '********' in the output */
    int connect_retry;      /* 0: server default */
    int retry_count;        /* 0: server default */
};

int mf_namespace(const struct mf_namespace_opts *o, json_t *docs, struct pxerr *err) PXC_MUST_CHECK;
int mf_serviceentry(const struct mf_serviceentry_opts *o, json_t *docs,
                    struct pxerr *err) PXC_MUST_CHECK;
int mf_pxc(const struct mf_pxc_opts *o, json_t *docs, struct pxerr *err) PXC_MUST_CHECK;
int mf_multicluster(const struct mf_multicluster_opts *o, json_t *docs,
                    struct pxerr *err) PXC_MUST_CHECK;
int mf_remote_secret(const struct mf_remote_secret_opts *o, json_t *docs,
                     struct pxerr *err) PXC_MUST_CHECK;
/* SQL text appended to out. */
int mf_replication_sql(const struct mf_repl_sql_opts *o, struct strbuf *out,
                       struct pxerr *err) PXC_MUST_CHECK;

/* Validate every document of docs against the CRDs in reg. */
int mf_validate(const struct crdreg *reg, const json_t *docs, struct pxerr *err) PXC_MUST_CHECK;

/* The VIP pxcmesh assigns a host: 240.240.X.Y from a hash of the name (stable). */
void mf_vip_for_host(const char *host, char *buf, size_t n);

/* Parse "ADDR[:PORT]" (IPv6 in brackets) into e (address points into buf). */
int mf_parse_endpoint(char *buf, struct mf_endpoint *e, struct pxerr *err) PXC_MUST_CHECK;

#endif
