/* ksim: the private contract between kubesim's files. kubesim is a simulated Kubernetes
 * API server for the lab and the tests; nothing outside lab/ includes this header.
 *
 * Threads: libmicrohttpd runs one thread per connection; probe pods run on threads of
 * their own. Every one of them touches the store only while holding store->mu, which
 * keeps the model simple (one global resourceVersion, one event history) and is cheap
 * enough for a lab. Functions named *_locked expect the caller to hold it. */
#ifndef PXC_LAB_KSIM_H
#define PXC_LAB_KSIM_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "pxerr.h"
#include "strbuf.h"
#include "vec.h"

/* ---- immutable serialized objects, shared by the store and the event history ---- */

struct ksim_blob {
    atomic_int refs;
    size_t len;
    char s[]; /* compact JSON, NUL-terminated */
};

struct ksim_blob *ksim_blob_new(const json_t *obj); /* owned (refs = 1) */
struct ksim_blob *ksim_blob_ref(struct ksim_blob *b);
void ksim_blob_unref(struct ksim_blob *b);          /* NULL does nothing */
json_t *ksim_blob_parse(const struct ksim_blob *b); /* owned; never NULL for our blobs */

/* ---- resources ---- */

enum ksim_table_kind {
    KSIM_TABLE_GENERIC,
    KSIM_TABLE_POD,
    KSIM_TABLE_NAMESPACE,
    KSIM_TABLE_SERVICE,
    KSIM_TABLE_NODE,
    KSIM_TABLE_STATEFULSET,
    KSIM_TABLE_SECRET,
    KSIM_TABLE_WEBHOOK,
    KSIM_TABLE_CRD,
    KSIM_TABLE_CUSTOM, /* additionalPrinterColumns from the CRD */
};

struct ksim_obj {
    char *key;              /* owned: "ns/name" or "name" */
    char *ns;               /* owned: "" when cluster-scoped */
    char *name;             /* owned */
    uint64_t rv;            /* metadata.resourceVersion */
    struct ksim_blob *blob; /* owned reference */
    json_t *labels;         /* owned copy of metadata.labels or NULL */
};

struct ksim_res {
    char *group;     /* owned; "" for the core group */
    char **versions; /* owned; served versions, preferred first */
    size_t n_versions;
    char *plural, *singular, *kind, *list_kind; /* owned */
    bool namespaced;
    bool has_status;     /* status subresource */
    json_t *short_names; /* owned array or NULL */
    json_t *categories;  /* owned array or NULL */
    json_t *columns;     /* owned additionalPrinterColumns or NULL */
    enum ksim_table_kind table;
    struct hmap by_key; /* key -> struct ksim_obj * (owned through sorted) */
    struct vec sorted;  /* struct ksim_obj *, ordered by key; owns the objects */
};

/* ---- events and the store ---- */

enum ksim_ev_type { KSIM_EV_ADDED, KSIM_EV_MODIFIED, KSIM_EV_DELETED };

struct ksim_event {
    enum ksim_ev_type type;
    struct ksim_res *res; /* borrowed: resources live as long as the store */
    char *ns;             /* owned */
    char *name;           /* owned */
    uint64_t rv;
    struct ksim_blob *blob; /* owned reference */
    json_t *labels;         /* owned copy or NULL, for watch selectors */
};

struct ksim_fault {
    int delay_ms;
    int status; /* 0: none */
    int retry_after_s;
    int status_count; /* -1: until cleared */
    int garbage;      /* next N responses are garbage */
    bool refuse;
    bool hang;
};

struct ksim_store {
    pthread_mutex_t mu;
    pthread_cond_t cond;     /* broadcast on every event, fault change and shutdown */
    uint64_t rv;             /* the one global resourceVersion counter */
    uint64_t horizon_rv;     /* watches may resume from rv >= horizon_rv */
    struct vec res;          /* struct ksim_res *, owned */
    struct ksim_event *ring; /* owned: bounded history for watch resumption */
    size_t ring_cap;
    uint64_t ring_first; /* sequence number of the oldest event kept */
    uint64_t ring_next;  /* sequence number of the next event */
    struct hmap logs;    /* "ns/name/container" -> owned char * (probe output) */
    struct ksim_fault fault;
    uint64_t drop_gen; /* bumped by the drop_watches fault */
    bool stopping;
    int n_watches;
    int n_probes;         /* running probe threads */
    uint64_t pod_ip_next; /* fallback pod IP allocator (10.244.x.y) */
    /* configuration, set before the server starts */
    char *dns_server;  /* owned "IP" or "IP:PORT" or NULL */
    char *proxy_image; /* owned */
    char *pod_map;     /* owned --pod-map FILE or NULL: where pods really are (ksim_podnet.c) */
    int bookmark_interval_s;
    long seed_age_s; /* --created-ago: how long ago the seeded objects were created */
    bool seeding; /* true while the seed is loaded: no probe threads */
};

void ksim_store_init(struct ksim_store *st, size_t history);
void ksim_store_fini(struct ksim_store *st);
/* Wait on st->cond (lock held) for at most ms milliseconds. */
void ksim_store_wait_ms_locked(struct ksim_store *st, uint64_t ms);

/* Borrowed resource lookups; NULL when unknown. */
struct ksim_res *ksim_res_find(struct ksim_store *st, const char *group, const char *version,
                               const char *plural);
struct ksim_res *ksim_res_by_kind(struct ksim_store *st, const char *api_version, const char *kind);
/* Add a resource (takes res). Replaces nothing: a duplicate group/plural returns the
 * existing one and frees res. */
struct ksim_res *ksim_res_add(struct ksim_store *st, struct ksim_res *res);
void ksim_res_free(struct ksim_res *res);
void ksim_store_add_builtin(struct ksim_store *st);

struct ksim_obj *ksim_obj_get_locked(struct ksim_res *res, const char *ns, const char *name);
/* First index in res->sorted whose key is > after (or >= when inclusive). */
size_t ksim_res_lower_bound(struct ksim_res *res, const char *key, bool inclusive);

/* Store obj (borrowed; its metadata.resourceVersion is set as a side effect) as created
 * or updated, and record the event.
 * The object must already carry metadata.name (and namespace when namespaced). Returns
 * the new stored object (borrowed, valid while the lock is held). */
struct ksim_obj *ksim_store_put_locked(struct ksim_store *st, struct ksim_res *res, json_t *obj);
/* Remove; records a DELETED event carrying the object with a new resourceVersion.
 * Returns the deleted object's final JSON (owned). */
json_t *ksim_store_del_locked(struct ksim_store *st, struct ksim_res *res, struct ksim_obj *o);

/* The RFC 3339 "now" and random helpers. */
void ksim_now_rfc3339(char *buf, size_t n);
/* The time ago_s seconds before now, as ksim_now_rfc3339. */
void ksim_ago_rfc3339(long ago_s, char *buf, size_t n);
void ksim_random_alnum(char *buf, size_t n);              /* n-1 lowercase alnum chars + NUL */
void ksim_uuid(char *buf, size_t n);                      /* n >= 37 */
json_t *ksim_path_get(json_t *obj, const char *dotted);   /* borrowed; "a.b.c" */
json_t *ksim_obj_ensure(json_t *parent, const char *key); /* borrowed child object */

/* ---- YAML (ksim_yaml.c) ---- */

/* Parse every document of a YAML (or JSON) text into docs (vec of owned json_t*, freed
 * with json_decref). what names the source in errors ("seed/a.yaml"). Null documents
 * are skipped. */
int ksim_yaml_parse(const char *text, size_t len, const char *what, struct vec *docs,
                    struct pxerr *err) PXC_MUST_CHECK;
int ksim_yaml_load_file(const char *path, struct vec *docs, struct pxerr *err) PXC_MUST_CHECK;
/* Emit obj as block YAML (strings quoted). */
void ksim_yaml_emit(const json_t *obj, struct strbuf *out);
void ksim_json_decref_fn(void *p); /* vec free function for json_t * */

/* ---- protobuf bodies (ksim_proto.c) ---- */

/* Decode a Kubernetes protobuf body (Namespace, Secret, ConfigMap, ServiceAccount) into
 * its JSON form (owned), or NULL with err saying why. */
json_t *ksim_proto_decode(const unsigned char *buf, size_t len, struct pxerr *err);

/* ---- selectors (ksim_select.c) ---- */

struct ksim_selector; /* opaque parsed label or field selector */
int ksim_selector_parse(const char *text, bool fields, struct ksim_selector **out,
                        struct pxerr *err) PXC_MUST_CHECK;
void ksim_selector_free(struct ksim_selector *sel);
bool ksim_selector_empty(const struct ksim_selector *sel);
bool ksim_selector_match_labels(const struct ksim_selector *sel, const json_t *labels);
/* Field selectors: name and ns answer metadata.*; other paths read the object (parsed
 * lazily by the caller through get_obj). */
bool ksim_selector_match_fields(const struct ksim_selector *sel, const char *ns, const char *name,
                                json_t *(*get_obj)(void *arg), void *arg);
bool ksim_selector_needs_object(const struct ksim_selector *sel);

/* ---- patches (ksim_patch.c) ---- */

/* Each returns the patched document (owned) or NULL with err set; target is borrowed. */
json_t *ksim_merge_patch(const json_t *target, const json_t *patch);
json_t *ksim_strategic_patch(const json_t *target, const json_t *patch);
json_t *ksim_json_patch(const json_t *target, const json_t *ops, struct pxerr *err);

/* ---- simulation (ksim_sim.c) ---- */

/* Admission for a new pod (mutates pod): sidecar injection, status, IP. */
void ksim_sim_admit_pod_locked(struct ksim_store *st, json_t *pod);
/* After a write: statefulset reconcile, probe start, pod re-creation. */
void ksim_sim_after_write_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                                 const char *name, bool deleted, json_t *old_obj);
void ksim_sim_reconcile_all_locked(struct ksim_store *st);
/* Log text for a pod container (owned) or NULL with *status/msg set for an error. */
char *ksim_sim_pod_log_locked(struct ksim_store *st, const json_t *pod, const char *container,
                              int *status, char *msg, size_t msg_len);
bool ksim_sim_pod_has_sidecar(const json_t *pod);

/* ---- probe pods (ksim_probe.c) ---- */

/* Whether the pod's command is one kubesim runs (nslookup, nc -z, curl of Envoy's
 * clusters, under sh -c too). */
bool ksim_probe_is_probe(const json_t *pod);
/* If pod's command is a probe, start a thread for it and return true. */
bool ksim_probe_maybe_start_locked(struct ksim_store *st, const json_t *pod);
/* DNS A query over UDP; fills up to max addresses (IPv4 dotted). Returns the count; 0
 * when the server answered without addresses (err->msg is the rcode name such as
 * "NXDOMAIN" or "REFUSED", or "No answer"); -1 when no server answered (err says why).
 * Blocking: probe threads only. */
int ksim_dns_query(const char *server, const char *name, char addrs[][64], int max, int timeout_ms,
                   struct pxerr *err);
void ksim_probe_clusters_dump_locked(struct ksim_store *st, struct strbuf *out);

/* ---- HTTP (ksim_http.c; the files of the HTTP face share ksim_http.h) ---- */

struct ksim_http_opts {
    const char *ip; /* borrowed: listen address */
    int port;
    bool tls;
    const char *cert_pem; /* borrowed until ksim_http_stop: server cert, key, client CA */
    const char *key_pem;
    const char *ca_pem;
    const char *token;        /* admin bearer token or NULL */
    const char *ro_token;     /* read-only bearer token or NULL */
    const char *tokens_file;  /* "token,user[,readonly]" lines or NULL */
    const struct vec *forbid; /* char *: resources read-only identities may not read */
    unsigned idle_timeout_s;  /* close idle keep-alive connections after this (0: 120) */
};

struct ksim_server;
int ksim_http_start(struct ksim_store *st, const struct ksim_http_opts *o, struct ksim_server **out,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Actual port (after port 0). */
int ksim_http_port(const struct ksim_server *srv);
void ksim_http_stop(struct ksim_server *srv); /* NULL does nothing */
/* Apply a fault document ({"delay_ms":N}, {"clear":true}, ...). Takes the lock. */
int ksim_fault_apply(struct ksim_store *st, const json_t *doc, struct pxerr *err) PXC_MUST_CHECK;
json_t *ksim_fault_json_locked(const struct ksim_store *st);

/* ---- tables (ksim_table.c) ---- */

/* Append the Table columnDefinitions of res to cols (a JSON array). */
json_t *ksim_table_columns(const struct ksim_res *res);
/* One Table row for obj. include: "None", "Metadata" or "Object". */
json_t *ksim_table_row(const struct ksim_res *res, json_t *obj, const char *include);
void ksim_human_age(int64_t age_s, char *buf, size_t n);

#endif
