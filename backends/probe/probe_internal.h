/* probe_internal: the probe object shared by probe.c, probe_dns.c, probe_tcp.c and
 * probe_mysql.c. Not for use outside backends/probe*.c. */
#ifndef PXC_BACKENDS_PROBE_PROBE_INTERNAL_H
#define PXC_BACKENDS_PROBE_PROBE_INTERNAL_H

#include "probe/probe.h"

#ifdef PXC_HAVE_CARES
#include <ares.h>
#endif

#define PROBE_MAX_SOCKS 8

struct probe {
    uv_loop_t *loop;
    probe_cb *cb;
    void *arg;
    struct probe_result r;
    uint64_t start_ms;
    int timeout_ms;
    bool done;          /* cb has run */
    bool silent;        /* start failed: tear down without calling cb */
    int open_handles;   /* handles still to close before the free */
    uv_timer_t deadline;

    /* DNS */
#ifdef PXC_HAVE_CARES
    ares_channel ares;
    bool ares_live;
    bool in_ares;     /* inside an ares_* call: destroying the channel must wait */
    bool ares_zombie; /* finished while in_ares: destroy when the call returns */
#endif
    struct {
        uv_poll_t poll;
        int fd; /* -1 free */
        bool active;
    } socks[PROBE_MAX_SOCKS];
    uv_timer_t ares_timer;

    /* TCP / MySQL */
    char host[256];
    int port;
    uv_getaddrinfo_t gai;
    bool gai_pending;
    uv_tcp_t tcp;
    bool tcp_init;
    uv_connect_t conn;
    char rbuf[1024];
    size_t rlen;
    char *user;
    char *password;
    uv_work_t work;
    bool work_pending;
};

struct probe *probe__new(uv_loop_t *loop, enum probe_kind kind, const char *target,
                         const struct probe_opts *o, probe_cb *cb, void *arg);
/* Deliver the result (once), then close every handle and free. */
void probe__finish(struct probe *p, enum probe_status st, const char *fmt, ...)
    PXC_PRINTF(3, 4);
void probe__handle_closed(uv_handle_t *h);
/* Free once done and nothing (handle, getaddrinfo, work) is outstanding. */
void probe__maybe_free(struct probe *p);
#ifdef PXC_HAVE_CARES
/* Leave an ares_* call: destroy the channel now if the probe finished inside it. */
void probe__ares_leave(struct probe *p);
#endif
int probe__tcp_begin(struct probe *p, struct pxerr *err);
/* TCP and MySQL probes: split the target, resolve if needed, connect. */
int probe__connect_start(uv_loop_t *loop, enum probe_kind kind, int dflt_port, const char *target,
                         const struct probe_opts *o, probe_cb *cb, void *arg, struct probe **out,
                         struct pxerr *err);
/* Tear down a probe whose start failed: cb is not called. */
void probe__abort(struct probe *p);
void probe__tcp_connect(struct probe *p); /* shared by TCP and MySQL once resolved */

#endif
