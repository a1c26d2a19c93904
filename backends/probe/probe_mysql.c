/* probe_mysql: connect, read the server's initial handshake packet (protocol 10:
 * version string, thread id, capabilities) without logging in, which tells that a MySQL
 * server, not some other listener or a sidecar that accepts and hangs, is at the far
 * end. With a user set, a real login and SELECT 1 follow on a worker thread, with the
 * probe's deadline as connect and read timeout. */
#include "probe/probe_internal.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct probe *p = h->data;
    (void)suggested;
    buf->base = p->rbuf + p->rlen;
    buf->len = sizeof p->rbuf - p->rlen;
}

static void
flavour_of(const char *version, char *out, size_t n)
{
    if (strstr(version, "MariaDB") != NULL)
        snprintf(out, n, "MariaDB");
    else if (strstr(version, "-") != NULL && strncmp(version, "5.", 2) != 0 &&
             strstr(version, "-log") == NULL)
        snprintf(out, n, "Percona"); /* Percona Server / PXC: 8.0.32-24 */
    else
        snprintf(out, n, "MySQL");
}

struct login_job {
    struct probe *p;
    char host[256];
    int port;
    int timeout_s;
    unsigned err;
    char msg[256];
};

static void
login_work(uv_work_t *w)
{
    struct login_job *j = w->data;
    struct probe *p = j->p;
    MYSQL *my = mysql_init(NULL);
    if (my == NULL) {
        j->err = 2008;
        snprintf(j->msg, sizeof j->msg, "out of memory");
        return;
    }
    unsigned t = (unsigned)j->timeout_s;
    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &t);
    mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &t);
    if (mysql_real_connect(my, j->host, p->user, p->password, NULL, (unsigned)j->port, NULL, 0) ==
            NULL ||
        mysql_query(my, "SELECT 1") != 0) {
        j->err = mysql_errno(my);
        snprintf(j->msg, sizeof j->msg, "%s", mysql_error(my));
    } else {
        MYSQL_RES *res = mysql_store_result(my);
        mysql_free_result(res);
    }
    mysql_close(my);
}

static void
login_done(uv_work_t *w, int status)
{
    struct login_job *j = w->data;
    struct probe *p = j->p;
    p->work_pending = false;
    if (!p->done) {
        if (status == UV_ECANCELED) {
            probe__finish(p, PROBE_CANCELLED, "cancelled");
        } else if (j->err == 0) {
            size_t n = strlen(p->r.detail);
            snprintf(p->r.detail + n, sizeof p->r.detail - n,
                     "\nlogged in as %s and ran SELECT 1", p->user);
            probe__finish(p, PROBE_OK, "%s %s, login as %s ok", p->r.flavour, p->r.version,
                          p->user);
        } else {
            p->r.mysql_errno = (int)j->err;
            size_t n = strlen(p->r.detail);
            snprintf(p->r.detail + n, sizeof p->r.detail - n, "\nlogin as %s: %u %s", p->user,
                     j->err, j->msg);
            probe__finish(p, PROBE_FAIL, "handshake ok, login as %s failed: %u %s", p->user,
                          j->err, j->err == 1045 ? "access denied (wrong password?)" : j->msg);
        }
    }
    free(j);
    probe__maybe_free(p);
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct probe *p = s->data;
    (void)buf;
    if (p->done)
        return;
    if (nread < 0) {
        snprintf(p->r.error_kind, sizeof p->r.error_kind, "%s",
                 nread == UV_EOF ? "closed" : "reset");
        probe__finish(p, PROBE_FAIL,
                      "the server closed the connection before its handshake (%s): a proxy "
                      "or sidecar with nothing behind it?",
                      uv_err_name((int)nread));
        return;
    }
    p->rlen += (size_t)nread;
    if (p->rlen < 4)
        return;
    size_t plen = (unsigned char)p->rbuf[0] | (unsigned char)p->rbuf[1] << 8 |
                  (size_t)(unsigned char)p->rbuf[2] << 16;
    if (p->rlen < 4 + plen && p->rlen < sizeof p->rbuf)
        return;
    uv_read_stop(s);
    const unsigned char *pl = (const unsigned char *)p->rbuf + 4;
    size_t avail = p->rlen - 4 < plen ? p->rlen - 4 : plen;
    if (avail >= 3 && pl[0] == 0xff) {
        /* An error packet instead of a handshake: e.g. 1130 host not allowed, 1040 too many
         * connections. */
        p->r.mysql_errno = pl[1] | pl[2] << 8;
        const char *msg = (const char *)pl + 3;
        size_t mlen = avail - 3;
        if (mlen > 0 && msg[0] == '#' && mlen > 6) {
            msg += 6;
            mlen -= 6;
        }
        snprintf(p->r.detail, sizeof p->r.detail, "server error %d: %.*s", p->r.mysql_errno,
                 (int)mlen, msg);
        probe__finish(p, PROBE_FAIL, "server refused the connection: %d %.*s", p->r.mysql_errno,
                      (int)(mlen > 100 ? 100 : mlen), msg);
        return;
    }
    if (avail < 2 || pl[0] != 10) {
        probe__finish(p, PROBE_FAIL, "not a MySQL server (first packet is not a handshake)");
        return;
    }
    size_t vlen = strnlen((const char *)pl + 1, avail - 1);
    snprintf(p->r.version, sizeof p->r.version, "%.*s", (int)vlen, (const char *)pl + 1);
    /* MariaDB 10.x prefixes "5.5.5-" for old clients; show the real version. */
    if (strncmp(p->r.version, "5.5.5-", 6) == 0)
        memmove(p->r.version, p->r.version + 6, strlen(p->r.version + 6) + 1);
    flavour_of(p->r.version, p->r.flavour, sizeof p->r.flavour);
    double ms = (double)(clock_mono_ms() - p->start_ms);
    snprintf(p->r.detail, sizeof p->r.detail, "%s:%d sent a handshake: %s %s (%.1f ms)",
             p->r.addr_used, p->port, p->r.flavour, p->r.version, ms);
    if (p->user == NULL) {
        probe__finish(p, PROBE_OK, "%s %s answers", p->r.flavour, p->r.version);
        return;
    }
    struct login_job *j = xcalloc(1, sizeof *j);
    j->p = p;
    snprintf(j->host, sizeof j->host, "%s", p->r.addr_used);
    j->port = p->port;
    uint64_t left_ms = (uint64_t)p->timeout_ms > ms ? (uint64_t)(p->timeout_ms - ms) : 1000;
    j->timeout_s = (int)(left_ms / 1000) > 0 ? (int)(left_ms / 1000) : 1;
    p->work.data = j;
    if (uv_queue_work(p->loop, &p->work, login_work, login_done) != 0) {
        free(j);
        probe__finish(p, PROBE_FAIL, "cannot start the login");
        return;
    }
    p->work_pending = true;
}

void probe__mysql_connected(struct probe *p);

void
probe__mysql_connected(struct probe *p)
{
    int rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
    if (rc != 0)
        probe__finish(p, PROBE_FAIL, "cannot read from %s: %s", p->r.addr_used, uv_strerror(rc));
}

int
probe_mysql_start(uv_loop_t *loop, const char *target, const struct probe_opts *o, probe_cb *cb,
                  void *arg, struct probe **out, struct pxerr *err)
{
    return probe__connect_start(loop, PROBE_MYSQL, 3306, target, o, cb, arg, out, err);
}
