/* kube_internal: what the files of the Kubernetes client share and nobody else sees. The
 * client is cut like libuv's src/unix/, one concern per file:
 *   kube.c           the client object: construction, teardown, accessors, stats, the
 *                    cluster's error and the first-sync report
 *   kube_auth.c      credentials: the copy of the kubeconfig target, bearer token (token
 *                    file re-read after a 401), client certificate, exec-plugin credentials
 *   kube_call.c      the authenticated request under every API request, the retry after a
 *                    401, error wording
 *   kube_health.c    contact (a successful answer), reachability, the bounded probe that
 *                    notices a hung server, the kick after an outage
 *   kube_disc.c      discovery: /version, /apis, which group versions the cluster serves
 *   kube_inf.c       informers: set-up, WATCH with bookmarks, relist after 410, backoff,
 *                    the key set and the relist diff
 *   kube_inf_list.c  the informers' LIST: pages streamed, cut into batches, decoded on a
 *                    libuv worker, committed on the loop
 *   kube_req.c       one-shot requests: GET, paginated LIST, a Secret value
 *   kube_secret.c    one key of a Secret found in the response's bytes, nothing else copied
 *   kube_kind.c      kind -> resource path
 *   kube_name.c      names and namespaces checked, path segments encoded
 *   kube_apply.c     writes; kube_list.c, kube_watch.c: the LIST and watch stream decoders
 *   kube_ws.c        WebSocket streams (connect subresources); kube_pf.c, kube_relay.c,
 *                    kube_exec.c on top of it; kube_logs.c streams pods/log
 * Loop thread only, except the decoders (pure) and the page batches on the worker. */
#ifndef PXC_BACKENDS_KUBE_KUBE_INTERNAL_H
#define PXC_BACKENDS_KUBE_KUBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "kube/backoff.h"
#include "kube/http.h"
#include "kube/kube.h"

/* ---------------------------------------------------------- watch decoder */

/* Newline-delimited JSON watch events ({"type": T, "object": {...}}) arriving in arbitrary
 * chunks. A partial line is kept until its newline arrives; a line longer than max_line bytes
 * is an error (so is a line that is not such an event). */
struct kube_watch_dec {
    struct strbuf buf;  /* private: bytes of the incomplete last line */
    size_t max_line;    /* read-only */
    size_t n_events;    /* read-only: events delivered since init/reset */
};

/* One event: type is "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "ERROR" (borrowed), obj
 * borrowed for the call (json_incref to keep). Return 0 to go on, <0 to stop the feed (it
 * then returns that value, err untouched). */
typedef int kube_watch_event_fn(const char *type, json_t *obj, void *arg);

void kube_watch_dec_init(struct kube_watch_dec *d, size_t max_line); /* 0: KUBE_LINE_MAX */
void kube_watch_dec_fini(struct kube_watch_dec *d);
void kube_watch_dec_reset(struct kube_watch_dec *d); /* forget a partial line (new stream) */
/* Feed len bytes (borrowed). Delivers every complete event in order. Returns 0, the callback's
 * negative value, or PXE_PARSE with err saying what was wrong and where, e.g.
 *   "watch event 3: malformed JSON at column 7: '[' or '{' expected near 'garbage'"
 *   "watch event 1: larger than 16777216 bytes without a newline"
 *   "watch event 2: no \"type\" string"
 * After an error the decoder must be reset before reuse. Any thread. */
int kube_watch_dec_feed(struct kube_watch_dec *d, const char *data, size_t len,
                        kube_watch_event_fn *fn, void *arg, struct pxerr *err) PXC_MUST_CHECK;

/* A LIST response ({"metadata": {...}, "items": [...], ...}) arriving in arbitrary chunks,
 * cut into its items as their bytes arrive, so that a page of 500 pods never has to be held
 * whole: each complete element of "items" goes to fn as a byte range (borrowed for the call;
 * a complete JSON value, checked for structure only); the top-level "metadata" object is
 * kept (copied) for kube_list_dec_finish. Only an unfinished item is buffered; one that grows
 * past max_item bytes is an error. */
typedef int kube_list_item_fn(const char *item, size_t len, void *arg);

struct kube_list_dec {
    struct strbuf buf;    /* private: unconsumed bytes (an unfinished token) */
    struct strbuf meta;   /* private: the "metadata" object, once seen */
    size_t off;           /* private: stream offset of buf's first byte */
    size_t max_item;      /* read-only */
    int state;            /* private */
    int key;              /* private: which member is being read */
    int have_items;       /* private */
    size_t n_items;       /* read-only: items delivered since init/reset */
};

void kube_list_dec_init(struct kube_list_dec *d, size_t max_item); /* 0: KUBE_LINE_MAX */
void kube_list_dec_fini(struct kube_list_dec *d);
void kube_list_dec_reset(struct kube_list_dec *d); /* a new response */
/* Feed len bytes (borrowed); delivers every item completed by them, in order. Returns 0, fn's
 * negative value, or PXE_PARSE with err saying what and the byte offset in the response:
 *   "LIST response: ',' expected at byte 812"  "LIST response is not a JSON object"
 * After an error the decoder must be reset before reuse. Any thread. */
int kube_list_dec_feed(struct kube_list_dec *d, const char *data, size_t len,
                       kube_list_item_fn *fn, void *arg, struct pxerr *err) PXC_MUST_CHECK;
/* The response ended: PXE_PARSE if it was cut short or had no "items" ("LIST response:
 * truncated at byte 9", "LIST response is not a list (no \"items\" array)"). On success
 * *meta and *meta_len get the "metadata" object (borrowed from d until reset/fini; NULL/0 if
 * none). */
int kube_list_dec_finish(struct kube_list_dec *d, const char **meta, size_t *meta_len,
                         struct pxerr *err) PXC_MUST_CHECK;

/* A whole LIST response at once (s, n bytes, borrowed): init, feed, finish. *meta is
 * copied into *meta_out (owned by the caller: free it; NULL if none). */
int kube__list_split(const char *s, size_t n, kube_list_item_fn *fn, void *arg, char **meta_out,
                     size_t *meta_len, struct pxerr *err) PXC_MUST_CHECK;

/* ------------------------------------------------------------ the client */

#define KUBE_LIST_ONCE_MAX_429 3 /* list-once modes: throttled retries that say when */

/* Watch mode: nothing succeeded for IDLE -> GET /version with TIMEOUT; while it fails, again
 * every DOWN. A stopped or hung server reads as unreachable IDLE + TIMEOUT after the last
 * answer at worst. */
#define KUBE_HEALTH_IDLE_MS 2000
#define KUBE_HEALTH_TIMEOUT_MS 3000
#define KUBE_HEALTH_DOWN_MS 2000

enum kube_health {
    KUBE_HEALTH_UNKNOWN, /* no answer yet */
    KUBE_HEALTH_UP,      /* the last word was a successful answer */
    KUBE_HEALTH_DOWN,    /* unreachable, or the probe failed */
};

/* What the client keeps of the kcfg_target: copied, secrets zeroed on free (kube_auth.c). */
struct kube_auth {
    char *server; /* without trailing slashes */
    char *ca_pem;
    size_t ca_len;
    bool insecure;
    char *tls_server_name, *proxy_url;
    char *cert_pem, *key_pem;
    size_t cert_len, key_len;
    char *token, *token_file;
    char *username, *password;
    char *user_name; /* kubeconfig user, for messages */
    struct kcfg_exec *exec;
};

/* A guard for callbacks that cannot be cancelled (exec credential): they hold a reference
 * and find dead set when the client went away meanwhile. */
struct kube_life {
    int refs;
    bool dead;
    struct kube_client *kc;
};

struct kube_call;
struct kube_page; /* a batch of a LIST page's items (kube_inf_list.c) */

/* Something a user of the client started that lives on it (a port-forward, an exec, a log
 * followed): when the client is freed first, drop frees it without a callback, as
 * kube_client_free promises. Embedded in the owner. */
struct kube_owned {
    void (*drop)(struct kube_owned *o);
    struct kube_owned *prev, *next;
};

/* One informer: client-go's reflector for one resource (in one namespace or all). */
struct kube_inf {
    struct kube_client *kc;
    enum kube_res res;
    const struct kube_sink_res *sink; /* the sink's hooks for res, NULL: count only */
    char *ns;             /* NULL: all namespaces / cluster-scoped */
    char *path;           /* collection path without query */
    char *selector;       /* labelSelector, NULL none */
    char *field_selector; /* fieldSelector, NULL none */
    char rv[64];          /* last resourceVersion seen, "" none */
    char *cont;           /* continue token of a list in progress */
    struct hmap keys;     /* objects known: "ns/name" or "name" */
    struct hmap *seen;    /* during a list: keys of this list's pages */
    struct kube_call *call;
    struct kube_page *job;   /* a batch being decoded by a worker */
    struct kube_page *batch; /* items received, not yet handed to a worker */
    bool list_pending;      /* a list was asked for while a discarded batch was decoded */
    bool list_paused;       /* the page's transfer waits for the worker (back-pressure) */
    struct kube_list_dec ldec;
    struct pxerr lerr;      /* LIST decoder failure (set inside the data callback) */
    struct kube_watch_dec dec;
    uv_timer_t retry;
    struct backoff bo;
    bool first_done;      /* counted for on_synced */
    bool first_ok;
    bool gone;            /* watch said 410 */
    bool need_relist;
    bool watch_failed;    /* ERROR event or decoder failure: retry with backoff */
    bool watching;        /* call is a watch (else a list) */
    bool throttled;       /* the retry waits out a Retry-After: not kicked early */
    int n_429;
    uint64_t watch_start_ms;
    uint64_t call_ms;     /* mono ms the current call started */
    uint64_t data_ms;     /* mono ms of its last byte, 0 none yet */
    size_t watch_events;
    int quick_ends;       /* watches in a row that ended at once without events (reset by
                             an event or a watch that lived a second) */
    char err[256];        /* "" healthy */
    struct pxerr werr;    /* watch stream failure (set inside the data callback) */
};

struct kube_client {
    uv_loop_t *loop;
    struct http *http;
    struct kcfg_cred_cache *creds;
    struct kube_sink sink;
    char *name;
    struct kube_auth a;
    char **namespaces;
    size_t n_namespaces;
    char *pxc_cluster;    /* only this PXC CR, NULL: all */
    enum kube_mode mode;
    bool readonly;
    int timeout_ms;
    kube_synced_cb *on_synced;
    void *arg;

    /* discovery (kube_disc.c) */
    char server_version[64];
    char se_gv[96], dr_gv[96], pa_gv[96], pxc_gv[96];
    int disc_step;
    bool disc_done, disc_failed;
    int disc_429;         /* throttled discovery retries (list-once modes) */
    bool disc_throttled;  /* the retry waits out a Retry-After */
    bool disc_first_failed; /* watching: discovery failed once (the first sync is reported) */
    struct kube_call *disc_call;
    uv_timer_t disc_timer;
    struct backoff disc_bo;
    char disc_err[256];

    /* health (kube_health.c) */
    uv_timer_t health_timer;
    struct kube_call *health_call; /* the probe in flight */
    enum kube_health health;
    uint64_t contact_ms;        /* mono ms of the last successful answer */
    uint64_t down_ms;           /* mono ms it went down, 0: not down */
    uint64_t probe_done_ms;     /* mono ms the last probe ended */
    uint64_t recovered_from_ms; /* answers again after being down since then: kick pending */
    uint64_t recovered_ms;      /* mono ms it answered again */
    char health_err[256];       /* why it is down, "" not down */

    struct vec informers; /* owned struct kube_inf * (freed when their timer closed) */
    struct kube_call *calls;
    struct kube_ws *wss;  /* open WebSocket streams (kube_ws.c) */
    struct kube_owned *owned; /* streams' owners, dropped by kube_client_free */
    struct kube_req *reqs;
    struct kube_page *jobs; /* batches on a worker */
    struct kube_life *life;
    bool cred_pending;
    bool synced_reported;
    bool freeing;
    int n_handles;
    uint64_t n_lists, n_relists_410, n_watches, n_events, n_errors;
};

/* kube.c */
/* Keep o (embedded in its owner) on kc until kube__disown; drop is called if kc goes first. */
void kube__own(struct kube_client *kc, struct kube_owned *o, void (*drop)(struct kube_owned *));
void kube__disown(struct kube_client *kc, struct kube_owned *o);
/* The sink's error hook with the cluster's error now: why the server is down, else
 * discovery's, else the first failing informer's, else none. */
void kube__update_error(struct kube_client *kc);
/* Report the first sync if it is over (once). */
void kube__maybe_synced(struct kube_client *kc);
/* Percent-encode s into out (query values, names). */
void kube__urlenc(struct strbuf *out, const char *s);
/* Owned copy of n bytes of s, NUL-terminated; NULL for NULL. */
char *kube__dupn(const char *s, size_t n);

/* kube_auth.c */
void kube__auth_init(struct kube_auth *a, const struct kcfg_target *t);
void kube__auth_fini(struct kube_auth *a);
/* The exec credential for a request: 0 with *cred set (NULL: the target has no plugin);
 * 1 when the plugin is running and kube__call_cred_done will be called; <0 with err filled
 * when the plugin cannot be started. */
int kube__auth_cred(struct kube_client *kc, const struct kcfg_cred **cred, struct pxerr *err);
/* The TLS and authentication options of a request (borrowed from kc and cred). */
void kube__auth_tls(const struct kube_client *kc, const struct kcfg_cred *cred,
                    struct http_tls_auth *t);
/* After a 401: drop the cached exec credential or re-read the token file. Returns 1 (retry),
 * 0 when there is nothing to renew (a retry would get the same answer), or <0 with err
 * filled when the file now holds a token that cannot be sent (a control character). */
int kube__auth_renew(struct kube_client *kc, struct pxerr *err);

/* kube_health.c */
/* A successful answer (a 2xx, or bytes of a 2xx stream): reachable, and dated. */
void kube__contact(struct kube_client *kc);
/* A request could not reach the server at all (connection, DNS, TLS, timeout before an
 * answer): unreachable now, e says why; every informer relists at its next start. */
void kube__unreachable(struct kube_client *kc, const struct pxerr *e);
/* Watch mode: start watching over the server's health (the probe timer). */
void kube__health_start(struct kube_client *kc);

/* kube_call.c */
typedef void kube_call_done_fn(struct kube_call *call, const struct http_result *res, void *arg);
typedef int kube_call_data_fn(struct kube_call *call, const char *data, size_t len, void *arg);

struct kube_call_opts {
    const char *method;       /* NULL: GET */
    const char *path;         /* "/api/v1/pods?limit=500": appended to the server URL */
    const char *content_type; /* of body, NULL: none */
    const char *body;         /* copied */
    size_t body_len;
    int timeout_ms;           /* 0: the client's request timeout */
    int connect_timeout_ms;   /* 0: the transport's default */
    int idle_timeout_s;
    bool secret;              /* the answer holds secrets (http_req_opts.secret) */
    kube_call_data_fn *on_data; /* streaming (watch), NULL: buffered */
    bool http1;               /* HTTP/1.1 only (http_req_opts.http1) */
    kube_call_done_fn *on_done;
    void *arg;
};

/* Start an authenticated API request: waits for an exec credential when the target has a
 * plugin, retries once after a 401 with a fresh credential (exec) or a re-read token file.
 * On success *out (may be NULL) is borrowed until on_done returns or kube__call_cancel. */
int kube__call(struct kube_client *kc, const struct kube_call_opts *o, struct kube_call **out,
               struct pxerr *err) PXC_MUST_CHECK;
void kube__call_cancel(struct kube_call *call);
/* Cancel every call of kc (a call inside its on_done is freed when that returns). */
void kube__call_cancel_all(struct kube_client *kc);
/* Resume a call whose on_data returned HTTP_DATA_PAUSE (http_resume). */
void kube__call_resume(struct kube_call *call);
/* The exec plugin answered (status 0) or failed (err says why): send or fail every call that
 * waited for it. */
void kube__call_cred_done(struct kube_client *kc, int status, const struct pxerr *err);

/* Turn a failed result into words: verb ("list", "watch", "get", "patch", "delete"), what
 * ("pods", "secret pxc-secrets"), ns (NULL: cluster-wide / all namespaces). Fills err and
 * returns its code: PXE_AUTH (401), PXE_FORBIDDEN (403), PXE_NOTFOUND (404), PXE_GONE (410),
 * PXE_THROTTLED (429), PXE_HTTP (others), or the transport's code. */
int kube__http_error(const struct kube_client *kc, const struct http_result *res,
                     const char *verb, const char *what, const char *ns, struct pxerr *err);

/* kube_ws.c */
/* The exec plugin answered (status 0) or failed: every stream that waited for it goes on or
 * ends with err. */
void kube__ws_cred_done(struct kube_client *kc, int status, const struct pxerr *err);
/* The client goes away: every stream is dropped without callbacks. */
void kube__ws_abort_all(struct kube_client *kc);

/* kube_disc.c */
void kube__disc_start(struct kube_client *kc);
/* The server answers again: a discovery waiting for its retry goes now. */
void kube__disc_kick(struct kube_client *kc);

/* kube_inf.c */
/* One informer per wanted resource that discovery found served; each starts listing. */
void kube__inf_start_all(struct kube_client *kc);
void kube__inf_free(void *inf); /* vec free function; after its timer closed */
/* "pods", "pods (app=istiod)": the resource in messages. */
const char *kube__inf_what(const struct kube_inf *inf);
/* A failed list or watch: record, then retry after the backoff (or give up in LIST_ONCE). */
void kube__inf_fail(struct kube_inf *inf, const struct pxerr *e, int retry_after_s);
/* The server could not be reached: every informer relists at its next start. */
void kube__inf_mark_outage(struct kube_client *kc);
/* The server answers again (since up_ms) after being down since down_ms: informers waiting
 * for a retry go now (unless a Retry-After holds them), and calls started before up_ms that
 * got no byte since down_ms (they may sit on a dead connection) start over. */
void kube__inf_kick(struct kube_client *kc, uint64_t down_ms, uint64_t up_ms);
/* Remember key in inf->keys, and in set too when set is a list's seen set. */
void kube__inf_key_put(struct kube_inf *inf, struct hmap *set, const char *key);
/* The last page of a list is committed: remove what it no longer had, then watch from rv. */
void kube__inf_list_finished(struct kube_inf *inf, const char *rv);
/* "&labelSelector=...&fieldSelector=..." of inf, appended to a query. */
void kube__inf_add_selector(struct strbuf *p, const struct kube_inf *inf);
/* The object's key, "ns/name" (namespaced) or "name", into buf. */
void kube__inf_obj_key(json_t *obj, char *buf, size_t n);
/* The same key from the names a sink's parse_text found. */
void kube__inf_id_key(const struct kube_obj_id *id, char *buf, size_t n);

/* kube_inf_list.c */
/* LIST the next page (inf->cont) or from scratch; deferred while a batch is decoded. */
void kube__inf_list(struct kube_inf *inf);
/* Forget a list in progress: its undecoded items, the batch being decoded (it will apply
 * nothing) and the keys seen so far. */
void kube__inf_list_abandon(struct kube_inf *inf);
/* The client goes away: every batch on a worker frees itself when the worker is done. */
void kube__inf_list_orphan(struct kube_client *kc);
void kube__inf_list_page_free(struct kube_page *job);

/* kube_req.c */
void kube__req_cancel_all(struct kube_client *kc);
/* Generic JSON request behind kube_get and the writes: decodes the body and calls cb. */
int kube__json_request(struct kube_client *kc, const char *method, const char *path,
                       const char *content_type, const char *body, size_t body_len,
                       const char *verb, const char *what, const char *ns, kube_resp_cb *cb,
                       void *arg, struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;

/* kube_name.c */
/* Any kind's name as a path segment: not "." or "..", no '/', '%' or control character. */
int kube__name_check_segment(const char *name, struct pxerr *err) PXC_MUST_CHECK;
/* Append seg (a name, a namespace) to a path, percent-encoded. */
void kube__name_append(struct strbuf *out, const char *seg);

/* kube_secret.c */
/* data[key] of the Secret in body (n bytes, borrowed), base64-decoded, found by a structural
 * scan: nothing else of the body is copied. 0 with *val owned (NUL-terminated, *val_len bytes;
 * the caller zeroes and frees it); PXE_NOTFOUND when there is no such key, the other key
 * names appended to keys; PXE_PARSE when the body or the value is malformed (err says how;
 * never quoting a value). */
int kube__secret_value(const char *body, size_t n, const char *key, char **val, size_t *val_len,
                       struct strbuf *keys, struct pxerr *err) PXC_MUST_CHECK;

/* kube_kind.c */
/* Resource path of (apiVersion, kind): "/apis/apps/v1/namespaces/ns/statefulsets". Appends
 * to out; name may be NULL. PXE_INVAL when ns or name is not valid (kube_name_check; any
 * path segment for a kind not in the table). */
int kube__kind_to_path(const struct kube_client *kc, const char *api_version, const char *kind,
                       const char *ns, const char *name, struct strbuf *out,
                       struct pxerr *err) PXC_MUST_CHECK;

#endif
