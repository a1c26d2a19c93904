/* http: asynchronous HTTP(S) requests on the libuv loop, through one curl multi handle per
 * loop driven by uv_poll (CURLMOPT_SOCKETFUNCTION) and one uv_timer (CURLMOPT_TIMERFUNCTION).
 * No threads. It is the transport of the Kubernetes client (kube.c) and of the probes.
 *
 * Every request has a deadline (a total timeout, and a connect timeout) and can be cancelled.
 * A response is either buffered whole (on_done gets the body) or, with on_data, streamed:
 * on_data receives the bytes of a 2xx response as they arrive (watches); a non-2xx response
 * is always buffered (up to HTTP_ERROR_BODY_MAX) so that the caller can read the Status
 * object. Errors are in words: what failed, and where (method and URL).
 *
 * Threads: everything here runs on the loop thread of the loop given to http_new.
 * Re-entrancy: callbacks may start new requests and cancel any request (their own too); the
 * cancellation of a request from inside a curl callback is deferred internally (curl forbids
 * removing a handle there), but no callback of a cancelled request runs after http_cancel
 * returns. http_free must not be called from inside an http callback. */
#ifndef PXC_BACKENDS_KUBE_HTTP_H
#define PXC_BACKENDS_KUBE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "pxerr.h"

#define HTTP_CONNECT_TIMEOUT_MS_DEFAULT 10000
#define HTTP_TIMEOUT_MS_DEFAULT 30000
#define HTTP_BODY_MAX_DEFAULT (256u << 20) /* buffered bodies above this fail with PXE_HTTP */
#define HTTP_ERROR_BODY_MAX (64u << 10)    /* non-2xx bodies are kept up to this */

struct http;     /* one per loop: the curl multi and its handles */
struct http_req; /* one request; owned by struct http until on_done returns or http_cancel */

/* What came back. All pointers borrowed: valid during the callback only. */
struct http_result {
    int status;          /* 0: a response arrived (any HTTP code); else PXE_TIMEOUT, PXE_CONN,
                            PXE_TLS, PXE_DNS, PXE_HTTP (body too large, aborted by on_data),
                            PXE_CANCELLED is never delivered (see http_cancel) */
    long code;           /* HTTP status code, 0 when no response */
    const char *body;    /* buffered body (NUL-terminated), "" when streamed or none */
    size_t body_len;
    const char *content_type; /* "" if none */
    int retry_after_s;   /* Retry-After header in seconds, -1 none */
    const struct pxerr *err; /* status != 0: what and where, e.g.
                              * "GET https://127.0.0.1:6443/api/v1/pods: connection refused
                              *  (Couldn't connect to server)"; code 0 and "" otherwise */
};

/* Streaming: called with each chunk of a 2xx response body. Return 0 to continue, <0 to
 * abort the transfer (on_done then runs with PXE_HTTP "aborted by the reader"), or
 * HTTP_DATA_PAUSE to refuse the chunk for now: the transfer stops reading until http_resume,
 * then the same bytes come again (back-pressure for a reader whose consumer is busy). data
 * is borrowed for the call. */
#define HTTP_DATA_PAUSE 1
typedef int http_data_cb(struct http_req *req, const char *data, size_t len, void *arg);
/* Called exactly once per request unless it was cancelled; req is freed after it returns. */
typedef void http_done_cb(struct http_req *req, const struct http_result *res, void *arg);

/* TLS and authentication of one endpoint. All borrowed: read only during http_start (curl
 * copies what it keeps, blobs included). NULL/0 fields are unused. */
struct http_tls_auth {
    const char *ca_pem;          /* PEM bundle; NULL: the system trust store */
    size_t ca_pem_len;
    bool insecure;               /* skip peer and host verification */
    const char *tls_server_name; /* verify (and send SNI) as this name while connecting to the
                                    URL's host (done with CURLOPT_CONNECT_TO and a Host: header) */
    const char *proxy_url;       /* http://, https://, socks5:// proxy; NULL: no proxy at all */
    const char *client_cert_pem; /* client certificate and key (PEM) */
    size_t client_cert_len;
    const char *client_key_pem;  /* secret */
    size_t client_key_len;
    const char *bearer_token;    /* secret: "Authorization: Bearer ..." */
    const char *username;        /* basic auth */
    const char *password;        /* secret */
};

struct http_req_opts {
    const char *method;          /* "GET" (NULL), "POST", "PUT", "PATCH", "DELETE" */
    const char *url;             /* required */
    const char *const *headers;  /* NULL-terminated extra "Name: value" lines, may be NULL */
    const char *body;            /* request body (copied), NULL: none */
    size_t body_len;
    const struct http_tls_auth *tls; /* may be NULL: plain defaults */
    int timeout_ms;              /* total deadline; 0: HTTP_TIMEOUT_MS_DEFAULT */
    int connect_timeout_ms;      /* 0: HTTP_CONNECT_TIMEOUT_MS_DEFAULT */
    int idle_timeout_s;          /* fail with PXE_TIMEOUT when under 1 byte arrives in this many
                                    seconds (a hung server or watch); 0: no idle limit */
    size_t body_max;             /* buffered body cap; 0: HTTP_BODY_MAX_DEFAULT */
    http_data_cb *on_data;       /* NULL: buffer the body */
    bool secret;                 /* the buffered answer holds secrets: it is kept in one buffer
                                    (grown by copying, the old one zeroed), curl's copy of each
                                    chunk is zeroed as it is delivered, and no compression is
                                    asked for (an inflater keeps its own copy); the buffer is
                                    zeroed when the request is freed, as every one is */
    bool http1;                  /* HTTP/1.1 only (no h2 over TLS): a reader that pauses
                                    (HTTP_DATA_PAUSE) uses it, the pause being proven on
                                    HTTP/1 only here (kubesim speaks no h2) */
    bool connect_only;           /* CURLOPT_CONNECT_ONLY: on_done runs once TCP, the proxy
                                    tunnel and TLS are up (status 0, code 0), and the request
                                    then lives on as a raw connection (http_conn_*) until
                                    http_cancel. Give it an http of its own (http_new) that
                                    holds nothing else: curl treats a connect-only connection
                                    as idle and may close it when another transfer of the same
                                    multi prunes its connection cache. HTTP/1.1 is forced. */
    http_done_cb *on_done;       /* required */
    void *arg;
};

/* Owned (http_free). loop is borrowed and must outlive it. Loop thread. */
struct http *http_new(uv_loop_t *loop);
/* Cancel every request (no callbacks run) and close the handles. The memory is released from
 * the handles' close callbacks: run the loop (uv_run) afterwards, as for any libuv handle,
 * before uv_loop_close. NULL does nothing. Not from inside an http callback. */
void http_free(struct http *h);

/* Start a request. On success returns 0 and, when reqp is not NULL, sets *reqp (borrowed:
 * valid until on_done returns or http_cancel). On failure (bad options, curl refuses an
 * option) returns <0, fills err, and no callback will run. */
int http_start(struct http *h, const struct http_req_opts *o, struct http_req **reqp,
               struct pxerr *err) PXC_MUST_CHECK;
/* Resume a transfer paused by HTTP_DATA_PAUSE (nothing if it is not paused). on_data may
 * run before this returns. Any time on the loop thread, callbacks included. */
void http_resume(struct http_req *req);

/* Cancel: after this returns no callback of req runs and req is invalid. */
void http_cancel(struct http_req *req);

/* The method and URL of req, for messages: borrowed, valid while req is. */
const char *http_req_method(const struct http_req *req);
const char *http_req_url(const struct http_req *req);

/* ---- raw connections (http_req_opts.connect_only, after on_done with status 0) ---- */

#define HTTP_AGAIN 1 /* would block: wait until the socket is readable/writable */

/* The connection's socket, to poll (uv_poll) for readiness; -1 if none. */
int http_conn_socket(const struct http_req *req);
/* Send up to len bytes of buf (borrowed) through TLS if the URL is https. 0 with *sent set,
 * HTTP_AGAIN (nothing sent), or <0 with err filled (the connection is broken). */
int http_conn_send(struct http_req *req, const void *buf, size_t len, size_t *sent,
                   struct pxerr *err) PXC_MUST_CHECK;
/* Receive up to len bytes into buf. 0 with *got set (0: the peer closed), HTTP_AGAIN, or <0
 * with err filled. TLS may hold decrypted bytes the socket no longer signals: read until
 * HTTP_AGAIN before waiting for readiness again. */
int http_conn_recv(struct http_req *req, void *buf, size_t len, size_t *got,
                   struct pxerr *err) PXC_MUST_CHECK;

/* Number of requests in flight (tests, stats). */
size_t http_active(const struct http *h);

#endif
