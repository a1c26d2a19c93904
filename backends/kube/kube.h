/* kube: a Kubernetes API client for one cluster, on the libuv loop (HTTP through http.h, JSON
 * through jansson). It discovers the API (/version, /apis: which ServiceEntry version the
 * cluster serves), keeps one informer per resource following client-go's reflector (paginated
 * LIST of 500, then WATCH from the list's resourceVersion with bookmarks, re-watch from the
 * last version seen, relist from scratch after 410 Gone, backoff 0.8 s .. 30 s with jitter,
 * Retry-After honoured) and hands every object to the caller's sink (struct kube_sink). A
 * quiet cluster is asked GET /version after 2 s of silence, so that a hung server reads as
 * unreachable within seconds (kube_health.c). It
 * also does the few reads and writes the console needs: generic GET/LIST, a Secret value on
 * demand, server-side apply, delete, and two patches.
 *
 * The client knows Kubernetes, not what the objects mean: it never interprets an object
 * beyond metadata (namespace, name, resourceVersion), and it has no model. What it reports
 * goes through the sink: each object (decoded, committed, removed), the cluster's
 * reachability and its error in words ("forbidden: cannot watch pods in namespace pxc (403
 * from https://127.0.0.1:6443)"). backends/live/live_sink.c is the sink that feeds the model.
 * Objects of a resource without sink hooks are only counted (kube_client_stats).
 *
 * Memory: per informer the set of keys it has seen ("ns/name", for the relist diff), nothing
 * else; each object lives only until the sink has taken what it keeps. Large LIST pages are
 * decoded off the loop (uv_queue_work: JSON parse and the sink's parse hook) and committed
 * on the loop; the loop is free between pages. See docs/kube.md.
 *
 * Threads: every function here, and every callback, runs on the loop thread, except a sink's
 * parse and free hooks (see struct kube_sink_res). Nothing blocks.
 */
#ifndef PXC_BACKENDS_KUBE_KUBE_H
#define PXC_BACKENDS_KUBE_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "pxerr.h"
#include "strbuf.h"
#include "kube/http.h"
#include "kube/kcfg.h"

#define KUBE_PAGE_LIMIT 500
#define KUBE_WATCH_MIN_S 300 /* watch timeoutSeconds drawn from [MIN, MAX] */
#define KUBE_WATCH_MAX_S 600
#define KUBE_LINE_MAX (16u << 20) /* a watch event longer than this restarts the watch */
#define KUBE_REQUEST_TIMEOUT_MS_DEFAULT 30000

/* The resources the informers follow. */
#define KUBE_RES_MAP(XX)                                                                           \
    XX(NAMESPACES, "namespaces")                                                                   \
    XX(PODS, "pods")                                                                               \
    XX(SERVICES, "services")                                                                       \
    XX(NODES, "nodes")                                                                             \
    XX(STATEFULSETS, "statefulsets")                                                               \
    XX(PXC, "perconaxtradbclusters")                                                               \
    XX(SENTRIES, "serviceentries")                                                                 \
    XX(DRULES, "destinationrules")                                                                 \
    XX(PEERAUTHS, "peerauthentications")                                                           \
    XX(WEBHOOKS, "mutatingwebhookconfigurations")                                                  \
    XX(ISTIOD, "istiod pods")

enum kube_res {
#define XX(name, text) KUBE_RES_##name,
    KUBE_RES_MAP(XX)
#undef XX
    KUBE_RES__COUNT
};

enum kube_mode {
    KUBE_MODE_WATCH,     /* list, then watch forever (the console) */
    KUBE_MODE_LIST_ONCE, /* list every resource once, no watch (pxcmesh status) */
    KUBE_MODE_DISCOVER,  /* discovery only, no informers (pxcmesh get, apply) */
};

struct kube_client; /* opaque */
struct kube_req;    /* a pending kube_* request: borrowed until its callback returns */

/* ---- where the informers' objects go ---- */

/* What the informers do with the objects of one resource. Every hook but parse and free gets
 * the sink's arg and runs on the loop thread. A NULL remove/relisted does nothing; without a
 * commit hook the objects are only counted (parse is not called either). */
struct kube_sink_res {
    /* Decode obj (borrowed for the call) into an item the client owns until it calls free.
     * Runs on a libuv worker for LIST pages (on the loop for watch events): it may touch
     * nothing but obj and what it returns. NULL with err filled: the object is skipped and
     * counted as an error. NULL hook: the item is obj itself (a reference). */
    void *(*parse)(json_t *obj, struct pxerr *err);
    /* Free an item of parse; any thread. NULL: free(3) (json_decref without a parse hook). */
    void (*free)(void *item);
    /* The object was listed, added or modified; item borrowed for the call. <0 with err
     * filled: the object is skipped (counted, logged) and not remembered for the relist. */
    int (*commit)(void *item, void *arg, struct pxerr *err);
    /* The object is gone: a DELETED event (obj as the server sent it) or a relist that no
     * longer has it (obj holds only metadata.name and, if namespaced, metadata.namespace).
     * obj borrowed for the call. <0: logged. */
    int (*remove)(json_t *obj, void *arg, struct pxerr *err);
    /* A complete LIST has been committed and what it no longer had removed. */
    void (*relisted)(void *arg);
};

struct kube_sink {
    const struct kube_sink_res *res; /* KUBE_RES__COUNT entries, borrowed; NULL: count only */
    /* true: contact, a successful answer just now (a 2xx, or bytes of a 2xx stream): the
     * caller may date its last contact by it. false: a request got no answer at all
     * (connection, DNS, TLS, timeout), or, watching, the health probe failed (nothing
     * succeeded for a while and GET /version did not either). HTTP errors alone report
     * nothing. May be NULL. */
    void (*reachable)(bool reachable, void *arg);
    /* The cluster's error was re-evaluated: why it is unreachable, else discovery's, else the
     * first failing informer's; NULL when healthy. msg borrowed for the call. May be NULL. */
    void (*error)(const char *msg, void *arg);
    void *arg;
};

/* The first sync is over: discovery ran and every informer's first LIST finished (ok or
 * not), or discovery failed (then n_failed is 1; in KUBE_MODE_WATCH the client keeps
 * retrying and fills the sink when the server answers). n_failed counts the informers (and
 * discovery) that failed; the sink's error says why. Called once per kube_client_start. */
typedef void kube_synced_cb(struct kube_client *kc, int n_failed, void *arg);

struct kube_client_opts {
    const char *name;     /* the cluster's display name, for messages; required, copied */
    const struct kcfg_target *target; /* borrowed during kube_client_new (copied) */
    const char *const *namespaces; /* watch these (copied); NULL/0: all namespaces */
    size_t n_namespaces;
    const char *pxc_cluster; /* only this PerconaXtraDBCluster (copied), NULL: every one */
    enum kube_mode mode;
    bool readonly;        /* every write fails with PXE_READONLY before any request */
    int request_timeout_ms; /* LIST/GET/PATCH deadline; 0: KUBE_REQUEST_TIMEOUT_MS_DEFAULT */
    const struct kube_sink *sink; /* copied; NULL: objects only counted, cluster state not
                                     reported. arg must stay valid until kube_client_free,
                                     the table until the loop ran out after it */
    kube_synced_cb *on_synced; /* may be NULL */
    void *arg;
};

/* Create the client for one cluster. loop and h are borrowed and must outlive it; creds
 * (borrowed, may be NULL when the target has no exec plugin) is the shared exec credential
 * cache. On failure *out is untouched and err says what. Nothing is sent until
 * kube_client_start. */
int kube_client_new(uv_loop_t *loop, struct http *h, struct kcfg_cred_cache *creds,
                    const struct kube_client_opts *opts, struct kube_client **out,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Discovery, then the informers of opts->mode. Returns at once. */
void kube_client_start(struct kube_client *kc);
/* Stop everything: pending requests are cancelled, timers closed; no callback and no sink
 * hook with its arg runs afterwards (a page being decoded on a worker is freed through the
 * table's free hook when the worker is done). Memory is released from close callbacks: run
 * the loop before uv_loop_close. NULL does nothing. */
void kube_client_free(struct kube_client *kc);

/* Re-read now (the console's Ctrl-R): every informer that is watching stops and LISTs
 * again (what the list no longer has is removed, as after a 410), one waiting out a
 * failure retries at once (unless the server asked to wait: 429 Retry-After), and a
 * pending discovery retry runs. Returns how many informers are re-listing (a LIST
 * already running counts), 0 outside KUBE_MODE_WATCH. Loop thread; callbacks follow on
 * later turns. */
int kube_client_relist(struct kube_client *kc);

const char *kube_client_name(const struct kube_client *kc);
/* The API server URL requests go to, without trailing slashes. Borrowed until free. */
const char *kube_client_server(const struct kube_client *kc);
/* The discovered ServiceEntry group version, e.g. "networking.istio.io/v1", "" if none. */
const char *kube_client_sentry_version(const struct kube_client *kc);
/* The server's gitVersion from /version, "" until known. */
const char *kube_client_server_version(const struct kube_client *kc);

struct kube_stats {
    size_t n_objects[KUBE_RES__COUNT]; /* objects the informer currently knows */
    bool synced[KUBE_RES__COUNT];      /* first LIST done */
    bool active[KUBE_RES__COUNT];      /* the informer runs (resource served and wanted) */
    uint64_t n_lists, n_relists_410, n_watches, n_events, n_errors;
};
void kube_client_stats(const struct kube_client *kc, struct kube_stats *out);
const char *kube_res_name(enum kube_res r);

/* ---- generic requests ---- */

/* status 0 and 200 <= code < 300: success, body the decoded JSON (borrowed: valid during the
 * call; json_incref to keep it). Otherwise err (borrowed) says what, where and why, e.g.
 * "forbidden: cannot get secrets in namespace pxc (403 from https://...): <Status message>"
 * and body is the decoded Status when the server sent one, else NULL. */
typedef void kube_resp_cb(int status, long code, json_t *body, const struct pxerr *err,
                          void *arg);

/* GET path ("/api/v1/namespaces/pxc/pods/x"), sent as is (no dot segment is resolved): a
 * path built from names must come from kube_kind_path, or encode them itself. reqp (may be
 * NULL) gets the request for kube_req_cancel. Returns <0 without calling cb only for bad
 * arguments. */
int kube_get(struct kube_client *kc, const char *path, kube_resp_cb *cb, void *arg,
             struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* LIST path following every continue token; body is one object {"kind": "<X>List",
 * "apiVersion", "metadata": {"resourceVersion"}, "items": [...all pages...]}. */
int kube_list(struct kube_client *kc, const char *path, kube_resp_cb *cb, void *arg,
              struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* No callback runs after this; req is invalid. */
void kube_req_cancel(struct kube_req *req);

/* The path of a kind as users type it for `pxcmesh get` ("pods", "po", "pod", "ns", "svc",
 * "se", "serviceentry", "pxc", "dr", "pa", "sts", "nodes", "secrets" is refused) in namespace
 * ns (NULL: all namespaces): the collection, or with name the object. Needs discovery for the
 * Istio versions. Appends to out; PXE_NOTFOUND with the known kinds listed when unknown;
 * PXE_INVAL when name or ns is not a valid name (kube_name_check). */
int kube_kind_path(const struct kube_client *kc, const char *kind, const char *ns,
                   const char *name, struct strbuf *out, struct pxerr *err) PXC_MUST_CHECK;

/* Names go into request paths, so they are checked first: 0, or PXE_INVAL with err saying
 * what is wrong and where, the value quoted safely, e.g.
 *   invalid name "../secrets/x": '.' at position 1; a name is lower-case letters, digits,
 *   '-' and '.', each part between dots starting and ending with a letter or digit (DNS-1123)
 * name: a DNS-1123 subdomain (at most 253); ns: a DNS-1123 label (at most 63). Any thread. */
int kube_name_check(const char *name, struct pxerr *err) PXC_MUST_CHECK;
int kube_name_check_ns(const char *ns, struct pxerr *err) PXC_MUST_CHECK;

/* ---- secrets, on demand only ---- */

/* value (borrowed, NUL-terminated, len bytes) is the base64-decoded data[key]; it is zeroed
 * right after the callback returns, and never logged. status != 0: value NULL, err says
 * what ("secret pxc/pxc-secrets has no key 'monitor' (keys: root, operator)"). */
typedef void kube_secret_cb(int status, const char *value, size_t len, const struct pxerr *err,
                            void *arg);
int kube_secret_get(struct kube_client *kc, const char *ns, const char *name, const char *key,
                    kube_secret_cb *cb, void *arg, struct kube_req **reqp,
                    struct pxerr *err) PXC_MUST_CHECK;

/* ---- writes (kube_apply.c); each refuses with PXE_READONLY in read-only mode ---- */

/* The field manager every write names (fieldManager=), so that managedFields say which
 * fields pxcmesh set and a confirmation can name it. */
#define KUBE_FIELD_MANAGER "pxcmesh"

enum {
    KUBE_DRY_RUN = 1u << 0, /* dryRun=All: the server validates and answers, changes nothing */
    KUBE_FORCE = 1u << 1,   /* apply: force=true (take over conflicting fields) */
};

/* Server-side apply of obj (borrowed; apiVersion, kind, metadata.name required,
 * metadata.namespace for namespaced kinds): PATCH application/apply-patch+yaml,
 * fieldManager=pxcmesh. cb's body is the object as the server has it (or would, dry run). */
int kube_apply(struct kube_client *kc, json_t *obj, unsigned flags, kube_resp_cb *cb,
               void *arg, struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* DELETE an object named by apiVersion ("v1", "networking.istio.io/v1"), kind, ns (NULL for
 * cluster-scoped kinds) and name. */
int kube_delete(struct kube_client *kc, const char *api_version, const char *kind,
                const char *ns, const char *name, unsigned flags, kube_resp_cb *cb, void *arg,
                struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* Merge-patch namespace ns's label key to value (NULL removes the label), e.g.
 * istio-injection=enabled; fieldManager=pxcmesh. */
int kube_label_namespace(struct kube_client *kc, const char *ns, const char *key,
                         const char *value, unsigned flags, kube_resp_cb *cb, void *arg,
                         struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* `kubectl rollout restart`: strategic-merge patch of spec.template.metadata.annotations
 * kubectl.kubernetes.io/restartedAt = now (RFC 3339); fieldManager=pxcmesh. */
int kube_restart_statefulset(struct kube_client *kc, const char *ns, const char *name,
                             unsigned flags, kube_resp_cb *cb, void *arg,
                             struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;

#endif
