/* probe: connectivity probes run on the libuv loop, each with a deadline and
 * cancellable: DNS (c-ares, system resolver or a given server), TCP connect, and the
 * MySQL handshake (version and flavour without logging in, then optionally a login and
 * SELECT 1 on a worker). A result says what happened in words and carries when it ran.
 * Loop thread only. */
#ifndef PXC_BACKENDS_PROBE_PROBE_H
#define PXC_BACKENDS_PROBE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"
#include "strbuf.h"

enum probe_kind {
    PROBE_DNS,
    PROBE_TCP,
    PROBE_MYSQL,
    PROBE_ENVOY, /* in-mesh only: does the sidecar's Envoy have a cluster for the host */
};

enum probe_status {
    PROBE_OK,
    PROBE_FAIL,    /* a definite answer: NXDOMAIN, refused, access denied ... */
    PROBE_TIMEOUT, /* no answer before the deadline */
    PROBE_CANCELLED,
};

#define PROBE_MAX_ADDRS 16

struct probe_result {
    enum probe_kind kind;
    enum probe_status status;
    char target[300];     /* "host", "host:port" */
    char from[256];       /* "local", "cluster-a/pxc (pod pxcmesh-probe-x)" */
    char via[384];        /* in-mesh: "exec pod/NS/NAME container C", "probe pod (exec not
                             possible: why)" or "none (exec not possible: why; no probe
                             pod: why)"; "" for local probes */
    char summary[160];    /* one line: "resolves to 127.0.20.1 (TTL 0)", "refused" */
    char detail[1024];    /* more lines for the detail view */
    double elapsed_ms;
    int64_t ran_wall_ms;  /* when it started */
    /* DNS */
    int n_addrs;
    char addrs[PROBE_MAX_ADDRS][46];
    int ttl_s;            /* smallest TTL, -1 unknown */
    char server[64];      /* the server asked */
    char rcode[16];       /* NOERROR, NXDOMAIN, SERVFAIL, REFUSED, NODATA, TIMEOUT */
    /* TCP / MySQL */
    char addr_used[256];  /* the address connected to */
    char error_kind[24];  /* refused, timeout, unreachable, reset, resolve */
    char version[96];     /* MySQL server version from the handshake */
    char flavour[32];     /* MariaDB, MySQL, Percona */
    int mysql_errno;      /* login or handshake error, 0 none */
};

typedef void probe_cb(const struct probe_result *r, void *arg);

struct probe;

struct probe_opts {
    int timeout_ms;            /* 0: 3000 */
    const char *dns_server;    /* "IP[:PORT]" or NULL for the system resolver */
    const char *user;          /* MySQL: log in after the handshake when set */
    const char *password;      /* borrowed; copied and zeroed after use */
};

/* Start a probe. target: DNS "host"; TCP and MySQL "host:port" (port default 3306 for
 * MySQL). cb runs exactly once on the loop (also after probe_cancel, with
 * PROBE_CANCELLED), after which the probe frees itself. *out (optional) is borrowed
 * until cb runs. */
int probe_dns_start(uv_loop_t *loop, const char *host, const struct probe_opts *o, probe_cb *cb,
                    void *arg, struct probe **out, struct pxerr *err) PXC_MUST_CHECK;
int probe_tcp_start(uv_loop_t *loop, const char *target, const struct probe_opts *o,
                    probe_cb *cb, void *arg, struct probe **out, struct pxerr *err) PXC_MUST_CHECK;
int probe_mysql_start(uv_loop_t *loop, const char *target, const struct probe_opts *o,
                      probe_cb *cb, void *arg, struct probe **out,
                      struct pxerr *err) PXC_MUST_CHECK;
void probe_cancel(struct probe *p);

/* Split "host:port" / "[v6]:port" / "host" into host (buf) and port (default dflt). */
int probe_split_target(const char *target, int dflt, char *host, size_t n, int *port,
                       struct pxerr *err) PXC_MUST_CHECK;

/* The result as a JSON object (text) appended to out, and as a table row. */
void probe_result_json(const struct probe_result *r, struct strbuf *out);
const char *probe_kind_name(enum probe_kind k);
const char *probe_status_name(enum probe_status s);

#endif
