/* kube_internal: what kube.c, kube_watch.c and kube_apply.c share and nobody else sees:
 * the client's body, the authenticated request ("call") under every API request, the error
 * wording, and the incremental watch stream decoder (tested on its own by
 * tests/unit/test_kube_watch.c). Loop thread only, except the decoder (pure). */
#ifndef PXC_BACKENDS_KUBE_KUBE_INTERNAL_H
#define PXC_BACKENDS_KUBE_KUBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"
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

struct kube_call;
typedef void kube_call_done_fn(struct kube_call *call, const struct http_result *res, void *arg);
typedef int kube_call_data_fn(struct kube_call *call, const char *data, size_t len, void *arg);

struct kube_call_opts {
    const char *method;       /* NULL: GET */
    const char *path;         /* "/api/v1/pods?limit=500": appended to the server URL */
    const char *content_type; /* of body, NULL: none */
    const char *body;         /* copied */
    size_t body_len;
    int timeout_ms;           /* 0: the client's request timeout */
    int idle_timeout_s;
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
/* Resume a call whose on_data returned HTTP_DATA_PAUSE (http_resume). */
void kube__call_resume(struct kube_call *call);

/* Turn a failed result into words: verb ("list", "watch", "get", "patch", "delete"), what
 * ("pods", "secret pxc-secrets"), ns (NULL: cluster-wide / all namespaces). Fills err and
 * returns its code: PXE_AUTH (401), PXE_FORBIDDEN (403), PXE_NOTFOUND (404), PXE_GONE (410),
 * PXE_THROTTLED (429), PXE_HTTP (others), or the transport's code. */
int kube__http_error(const struct kube_client *kc, const struct http_result *res,
                     const char *verb, const char *what, const char *ns, struct pxerr *err);
/* Note a response (any HTTP code) or a transport failure for the cluster's reachability. */
void kube__seen(struct kube_client *kc, const struct http_result *res);
/* The model and cluster. */
struct model *kube__model(struct kube_client *kc);
bool kube__readonly(const struct kube_client *kc);
/* Generic JSON request behind kube_get and the writes: decodes the body and calls cb. */
int kube__json_request(struct kube_client *kc, const char *method, const char *path,
                       const char *content_type, const char *body, size_t body_len,
                       const char *verb, const char *what, const char *ns, kube_resp_cb *cb,
                       void *arg, struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;
/* Resource path of (apiVersion, kind): "/apis/apps/v1/namespaces/ns/statefulsets". Appends
 * to out; PXE_NOTFOUND for a kind it does not know. name may be NULL. */
int kube__kind_to_path(const struct kube_client *kc, const char *api_version, const char *kind,
                       const char *ns, const char *name, struct strbuf *out,
                       struct pxerr *err) PXC_MUST_CHECK;
/* Percent-encode s into out (query values, names). */
void kube__urlenc(struct strbuf *out, const char *s);

#endif
