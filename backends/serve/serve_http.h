/* serve_http: the HTTP endpoints of `pxcmesh serve`, on libmicrohttpd (a maintained server
 * with TLS through gnutls), which runs one thread of its own. That thread never reads the
 * model: a request asks the loop for its document (uv_async), the loop renders it through
 * the caller's callback and publishes the bytes under a mutex, and the server thread copies
 * them out. A document that has not changed since the last request is not rendered again
 * (the callback says so), and an idle server costs nothing on the loop.
 *
 * Paths: /metrics, /status.json, /findings.json, /healthz (200 "ok" while the loop answers
 * within SERVE_LOOP_WAIT_MS; else 503). GET and HEAD only.
 *
 * Threads: serve_http_start and serve_http_stop on the loop thread; the render callback
 * runs on the loop thread; the server's own thread only copies published buffers. */
#ifndef PXC_BACKENDS_SERVE_SERVE_HTTP_H
#define PXC_BACKENDS_SERVE_SERVE_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"
#include "strbuf.h"

#define SERVE_LOOP_WAIT_MS 5000 /* how long a request waits for the loop */

enum serve_doc { SERVE_METRICS, SERVE_STATUS, SERVE_FINDINGS, SERVE_HEALTHZ, SERVE__NDOCS };

/* Render doc into out (empty), on the loop. Returns 1 rendered, 0 unchanged since the last
 * time it was rendered (the published bytes stay; out is ignored), or a negative PXE_* code
 * with err set (the request gets 500 and err's message). */
typedef int serve_render_cb(enum serve_doc doc, struct strbuf *out, void *arg, struct pxerr *err);

struct serve_http_opts {
    const char *listen;   /* "HOST:PORT" or "[V6]:PORT", HOST numeric; port 0: any free one */
    const char *tls_cert; /* PEM file, NULL none; both or neither with tls_key */
    const char *tls_key;  /* PEM file (secret: read, handed to the server, zeroed) */
    bool insecure;        /* plain HTTP on a non-loopback address, explicitly */
    serve_render_cb *render;
    void *arg; /* render's, borrowed */
};

struct serve_http;

/* Is listen a loopback address (127.0.0.0/8, ::1)? false when it does not parse. */
bool serve_http_is_loopback(const char *listen);

/* Check opts without binding: the address parses, a non-loopback one has TLS or insecure,
 * cert and key come together. PXE_USAGE with a message saying what to give. */
int serve_http_check(const struct serve_http_opts *o, struct pxerr *err) PXC_MUST_CHECK;

/* Bind and start serving. On success *out is owned (serve_http_stop) and its URL
 * (serve_http_url) names the port bound. loop borrowed, must outlive it. Errors: PXE_USAGE
 * (bad options), PXE_IO (a TLS file), PXE_CONN (cannot bind: the address in use). */
int serve_http_start(uv_loop_t *loop, const struct serve_http_opts *o, struct serve_http **out,
                     struct pxerr *err) PXC_MUST_CHECK;

/* "http://127.0.0.1:9713" or "https://...", borrowed until stop. */
const char *serve_http_url(const struct serve_http *h);

/* Requests answered since start (all paths), for the tests and metrics. Any thread. */
uint64_t serve_http_requests(struct serve_http *h);

/* Stop the server thread (waiting requests get 503), then close the async handle, which
 * frees the rest: run the loop afterwards. NULL does nothing. Loop thread. */
void serve_http_stop(struct serve_http *h);

#endif
