/* kube_internal: what kube.c, kube_watch.c and kube_apply.c share and nobody else sees:
 * the client's body, the authenticated request ("call") under every API request, the error
 * wording, and the incremental watch stream decoder (tested on its own by
 * tests/unit/test_kube_watch.c). Loop thread only, except the decoder (pure). */
#ifndef PXC_BACKENDS_KUBE_INTERNAL_H
#define PXC_BACKENDS_KUBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/strbuf.h"
#include "http.h"
#include "kube.h"

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

/* Split a LIST response (s, n bytes, borrowed) into its items without building the whole
 * tree: fn gets each element of "items" as a byte range (borrowed for the call; a complete
 * JSON value, not validated beyond its structure) in order; *meta and *meta_len get the range of
 * the top-level "metadata" object (NULL/0 if none). Returns 0, fn's negative value, or
 * PXE_PARSE with the byte offset of what is malformed ("LIST response: ',' expected at byte
 * 812"). Any thread. */
typedef int kube_list_item_fn(const char *item, size_t len, void *arg);
int kube__list_split(const char *s, size_t n, kube_list_item_fn *fn, void *arg,
                     const char **meta, size_t *meta_len, struct pxerr *err) PXC_MUST_CHECK;

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
    kube_call_done_fn *on_done;
    void *arg;
};

/* Start an authenticated API request: waits for an exec credential when the target has a
 * plugin, retries once after a 401 with a fresh credential (exec) or a re-read token file.
 * On success *out (may be NULL) is borrowed until on_done returns or kube__call_cancel. */
int kube__call(struct kube_client *kc, const struct kube_call_opts *o, struct kube_call **out,
               struct pxerr *err) PXC_MUST_CHECK;
void kube__call_cancel(struct kube_call *call);
/* During on_done only: take the buffered body (owned; free it), see http_take_body. */
char *kube__call_take_body(struct kube_call *call, size_t *len);

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
