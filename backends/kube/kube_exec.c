/* kube_exec: the exec protocol on top of kube_ws. It builds the query the kubelet reads
 * (command=... once per argument, container, stdin/stdout/stderr/tty), sends stdin in pieces
 * and closes it (v5: [255, 0]), hands stdout and stderr on as they come and reads the exit
 * code from the status channel (kube_exec_status_parse). The deadline is a timer of its own:
 * the WebSocket has none once upgraded. */
#include "kube/kube_exec.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"
#include "kube/kube_ws.h"
#include "kube/kube_wsproto.h"

#define STDIN_CHUNK (32u << 10) /* as kubectl writes stdin */
#define STATUS_MAX (64u << 10)

struct kube_exec {
    struct kube_owned own; /* on the client: dropped if it is freed first */
    struct kube_client *kc;
    struct kube_ws *ws; /* NULL once ended */
    uv_timer_t timer;
    char *ns, *pod, *container, *cmd; /* cmd: argv joined, for messages */
    int timeout_ms;
    uint8_t *stdin_data;
    size_t stdin_len;
    struct strbuf status; /* the status channel's bytes */
    kube_exec_out_cb *on_stdout, *on_stderr;
    kube_exec_exit_cb *on_exit;
    void *arg;
    char protocol[32];
    bool done;
};

static void
on_timer_closed(uv_handle_t *h)
{
    struct kube_exec *ex = h->data;
    free(ex->ns);
    free(ex->pod);
    free(ex->container);
    free(ex->cmd);
    if (ex->stdin_data != NULL) /* stdin may carry a password (probe_exec) */
        explicit_bzero(ex->stdin_data, ex->stdin_len);
    free(ex->stdin_data);
    strbuf_fini(&ex->status);
    free(ex);
}

static void
ex_free(struct kube_exec *ex)
{
    kube__disown(ex->kc, &ex->own);
    uv_timer_stop(&ex->timer);
    uv_close((uv_handle_t *)&ex->timer, on_timer_closed);
}

static void
ex_finish(struct kube_exec *ex, int status, int code, const struct pxerr *err)
{
    if (ex->done)
        return;
    ex->done = true;
    struct pxerr ok = {0};
    ex->on_exit(ex, status, status == 0 ? code : -1, err ? err : &ok, ex->arg);
    ex_free(ex);
}

static void
on_ws_open(struct kube_ws *ws, const char *protocol, void *arg)
{
    struct kube_exec *ex = arg;
    snprintf(ex->protocol, sizeof ex->protocol, "%s", protocol);
    if (ex->stdin_data == NULL)
        return;
    struct pxerr e;
    for (size_t off = 0; off < ex->stdin_len; off += STDIN_CHUNK) {
        size_t n = ex->stdin_len - off < STDIN_CHUNK ? ex->stdin_len - off : STDIN_CHUNK;
        if (kube_ws_send(ws, KUBE_EXEC_STDIN, ex->stdin_data + off, n, &e) < 0)
            return; /* closing: the end says why */
    }
    if (strcmp(protocol, "v5.channel.k8s.io") == 0) {
        uint8_t close_stdin = KUBE_EXEC_STDIN;
        if (kube_ws_send(ws, KUBE_EXEC_CLOSE, &close_stdin, 1, &e) < 0)
            return; /* closing: the end says why */
    }
}

static void
on_ws_msg(struct kube_ws *ws, const uint8_t *data, size_t len, void *arg)
{
    struct kube_exec *ex = arg;
    (void)ws;
    if (len == 0)
        return;
    const char *p = (const char *)data + 1;
    size_t n = len - 1;
    switch (data[0]) {
    case KUBE_EXEC_STDOUT:
        if (n > 0 && ex->on_stdout)
            ex->on_stdout(ex, p, n, ex->arg);
        break;
    case KUBE_EXEC_STDERR:
        if (n > 0 && ex->on_stderr)
            ex->on_stderr(ex, p, n, ex->arg);
        break;
    case KUBE_EXEC_STATUS:
        if (ex->status.len + n <= STATUS_MAX)
            strbuf_appendn(&ex->status, p, n);
        break;
    default:
        break; /* nothing else comes from a server; ignore rather than fail */
    }
}

/* A container runtime's refusal repeats its layers ("Internal error occurred: ... failed to
 * exec in container: failed to start exec \"ID\": OCI runtime exec failed: ... unable to
 * start container process: exec: \"dig\": executable file not found in $PATH: unknown");
 * keep the innermost reason, which is what the operator needs. */
static const char *
runtime_reason(const char *msg)
{
    static const char *const marks[] = {
        "unable to start container process: ", "OCI runtime exec failed: ", NULL};
    for (size_t i = 0; marks[i]; i++) {
        const char *p = strstr(msg, marks[i]);
        if (p != NULL)
            return p + strlen(marks[i]);
    }
    return msg;
}

static void
on_ws_end(struct kube_ws *ws, int status, const struct pxerr *err, void *arg)
{
    struct kube_exec *ex = arg;
    (void)ws;
    ex->ws = NULL;
    struct pxerr e = {0};
    if (ex->status.len > 0) {
        /* The status is the outcome, whatever the close looked like. */
        int code;
        char msg[1024];
        if (kube_exec_status_parse(ex->status.s, ex->status.len, &code, msg, sizeof msg, &e) < 0) {
            if (e.code == PXE_HTTP)
                pxerr_set(&e, PXE_HTTP, "exec of '%s' in pod %s/%s%s%s failed: %s", ex->cmd, ex->ns,
                          ex->pod, ex->container ? " container " : "",
                          ex->container ? ex->container : "", runtime_reason(msg));
            ex_finish(ex, e.code, -1, &e);
            return;
        }
        ex_finish(ex, 0, code, NULL);
        return;
    }
    if (status != 0) {
        ex_finish(ex, status, -1, err);
        return;
    }
    pxerr_set(&e, PXE_CONN, "exec of '%s' in pod %s/%s: the stream ended without an exit status",
              ex->cmd, ex->ns, ex->pod);
    ex_finish(ex, PXE_CONN, -1, &e);
}

static void
on_timeout(uv_timer_t *t)
{
    struct kube_exec *ex = t->data;
    if (ex->done)
        return;
    kube_ws_abort(ex->ws);
    ex->ws = NULL;
    struct pxerr e;
    pxerr_set(&e, PXE_TIMEOUT, "exec of '%s' in pod %s/%s timed out after %d ms", ex->cmd, ex->ns,
              ex->pod, ex->timeout_ms);
    ex_finish(ex, PXE_TIMEOUT, -1, &e);
}

/* The client is being freed: go without a callback (the timer's close frees the rest). */
static void
ex_drop(struct kube_owned *o)
{
    struct kube_exec *ex = (struct kube_exec *)((char *)o - offsetof(struct kube_exec, own));
    ex->done = true;
    kube_ws_abort(ex->ws);
    ex->ws = NULL;
    ex_free(ex);
}

int
kube_exec_start(struct kube_client *kc, const struct kube_exec_opts *o, struct kube_exec **out,
                struct pxerr *err)
{
    if (o->ns == NULL || o->pod == NULL || o->argv == NULL || o->argv[0] == NULL ||
        o->on_exit == NULL)
        return pxerr_set(err, PXE_INVAL,
                         "kube_exec_start: namespace, pod, a command and "
                         "on_exit are needed");
    /* Names go into the path: checked first, as every other request checks them. */
    if (kube_name_check_ns(o->ns, err) < 0 || kube_name_check(o->pod, err) < 0)
        return PXE_INVAL;
    if (kc->freeing)
        return pxerr_set(err, PXE_CANCELLED, "cluster %s: client stopped", kc->name);
    struct kube_exec *ex = xcalloc(1, sizeof *ex);
    ex->kc = kc;
    ex->ns = xstrdup(o->ns);
    ex->pod = xstrdup(o->pod);
    ex->container = xstrdup_or_null(o->container);
    ex->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : KUBE_EXEC_TIMEOUT_MS_DEFAULT;
    ex->on_stdout = o->on_stdout;
    ex->on_stderr = o->on_stderr;
    ex->on_exit = o->on_exit;
    ex->arg = o->arg;
    strbuf_init(&ex->status);
    if (o->stdin_data != NULL) {
        ex->stdin_data = xmalloc(o->stdin_len ? o->stdin_len : 1);
        memcpy(ex->stdin_data, o->stdin_data, o->stdin_len);
        ex->stdin_len = o->stdin_len;
    }
    struct strbuf cmd, path;
    strbuf_init(&cmd);
    strbuf_init(&path);
    strbuf_append(&path, "/api/v1/namespaces/");
    kube__name_append(&path, o->ns);
    strbuf_append(&path, "/pods/");
    kube__name_append(&path, o->pod);
    strbuf_append(&path, "/exec?");
    for (size_t i = 0; o->argv[i]; i++) {
        strbuf_append(&path, "command=");
        kube__urlenc(&path, o->argv[i]);
        strbuf_appendc(&path, '&');
        strbuf_appendf(&cmd, "%s%s", i ? " " : "", o->argv[i]);
    }
    if (o->container != NULL) {
        strbuf_append(&path, "container=");
        kube__urlenc(&path, o->container);
        strbuf_appendc(&path, '&');
    }
    strbuf_appendf(&path, "stdin=%s&stdout=true&stderr=true&tty=false",
                   o->stdin_data ? "true" : "false");
    ex->cmd = strbuf_detach(&cmd);
    uv_timer_init(kc->loop, &ex->timer);
    ex->timer.data = ex;
    static const char *const protos[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};
    struct kube_ws_opts wo = {
        .path = path.s,
        .protocols = protos,
        .resource = "pods/exec",
        .ns = o->ns,
        .pod = o->pod,
        .open_timeout_ms = ex->timeout_ms,
        .on_open = on_ws_open,
        .on_msg = on_ws_msg,
        .on_end = on_ws_end,
        .arg = ex,
    };
    int rc = kube_ws_open(kc, &wo, &ex->ws, err);
    strbuf_fini(&path);
    if (rc < 0) {
        ex->done = true;
        ex_free(ex);
        return rc;
    }
    uv_timer_start(&ex->timer, on_timeout, (uint64_t)ex->timeout_ms, 0);
    kube__own(kc, &ex->own, ex_drop);
    if (out)
        *out = ex;
    return 0;
}

void
kube_exec_cancel(struct kube_exec *ex)
{
    if (ex == NULL || ex->done)
        return;
    ex->done = true;
    kube_ws_abort(ex->ws);
    ex->ws = NULL;
    ex_free(ex);
}

const char *
kube_exec_protocol(const struct kube_exec *ex)
{
    return ex->protocol;
}
