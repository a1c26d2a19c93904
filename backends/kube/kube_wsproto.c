/* kube_wsproto: the rules of the WebSocket handshake and of the Kubernetes channel protocols,
 * as pure functions over bytes. The connection that uses them is kube_ws.c; what the bytes
 * mean to a port-forward or an exec is decided here so that a table of cases can prove it.
 * It deliberately does no I/O and keeps no state beyond what the caller passes in. */
#include "kube/kube_wsproto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base64.h"
#include "sha1.h"

void
kube_wsproto_accept(const char *key, char out[KUBE_WS_ACCEPT_LEN + 1])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; /* RFC 6455 1.3 */
    char buf[128];
    int n = snprintf(buf, sizeof buf, "%s%s", key, guid);
    uint8_t d[SHA1_LEN];
    sha1(buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : strlen(buf), d);
    char *b = base64_encode(d, sizeof d, 0);
    snprintf(out, KUBE_WS_ACCEPT_LEN + 1, "%s", b);
    free(b);
}

void
kube_wsproto_request(struct strbuf *out, const char *host, const char *path, const char *key,
                     const char *const *protocols, const struct kube_ws_auth *auth)
{
    strbuf_appendf(out,
                   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: pxcmesh/0.1\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n",
                   path, host, key);
    if (protocols != NULL && protocols[0] != NULL) {
        strbuf_append(out, "Sec-WebSocket-Protocol: ");
        for (size_t i = 0; protocols[i]; i++)
            strbuf_appendf(out, "%s%s", i ? ", " : "", protocols[i]);
        strbuf_append(out, "\r\n");
    }
    if (auth != NULL && auth->bearer_token != NULL) {
        strbuf_appendf(out, "Authorization: Bearer %s\r\n", auth->bearer_token);
    } else if (auth != NULL && auth->username != NULL) {
        struct strbuf up;
        strbuf_init(&up);
        strbuf_appendf(&up, "%s:%s", auth->username, auth->password ? auth->password : "");
        char *b = base64_encode(up.s, up.len, 0);
        strbuf_appendf(out, "Authorization: Basic %s\r\n", b);
        explicit_bzero(b, strlen(b));
        free(b);
        explicit_bzero(up.s, up.len);
        strbuf_fini(&up);
    }
    strbuf_append(out, "\r\n");
}

/* ------------------------------------------------------------ response head */

/* Copy value (n bytes) into dst, trimmed, cut to dn - 1. */
static void
copy_val(char *dst, size_t dn, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    if (n >= dn)
        n = dn - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* Does the comma-separated list hold token (case-insensitive)? */
static bool
has_token(const char *list, const char *token)
{
    size_t tl = strlen(token);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - p) == tl && strncasecmp(p, token, tl) == 0)
            return true;
        p = e;
    }
    return false;
}

int
kube_wsproto_head(const char *buf, size_t len, struct kube_ws_head *h, struct pxerr *err)
{
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = buf + i + 4;
            break;
        }
    if (len >= 5 && strncmp(buf, "HTTP/", 5) != 0)
        return pxerr_set(err, PXE_HTTP, "the answer is not HTTP (it starts with \"%.*s\")",
                         (int)(len < 16 ? len : 16), buf);
    if (end == NULL)
        return len > KUBE_WS_HEAD_MAX ? pxerr_set(err, PXE_HTTP,
                                                  "the answer's head is over "
                                                  "%u bytes",
                                                  KUBE_WS_HEAD_MAX)
                                      : 0;
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    h->head_len = (size_t)(end - buf);
    /* Status line: HTTP/1.1 101 Switching Protocols */
    const char *p = buf + 5;
    while (p < end && *p != ' ')
        p++;
    int code = 0, digits = 0;
    while (p < end && *p == ' ')
        p++;
    while (p < end && isdigit((unsigned char)*p) && digits < 4)
        code = code * 10 + (*p++ - '0'), digits++;
    if (digits != 3)
        return pxerr_set(err, PXE_HTTP, "bad HTTP status line \"%.*s\"",
                         (int)(strcspn(buf, "\r\n") < 60 ? strcspn(buf, "\r\n") : 60), buf);
    h->code = code;
    const char *line = memchr(buf, '\n', (size_t)(end - buf));
    for (line = line ? line + 1 : end; line < end - 2;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            break;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon != NULL) {
            size_t kl = (size_t)(colon - line), vl = (size_t)(eol - colon - 1);
            const char *v = colon + 1;
            char val[256];
            copy_val(val, sizeof val, v, vl);
#define IS(name) (kl == sizeof(name) - 1 && strncasecmp(line, name, kl) == 0)
            if (IS("Upgrade"))
                h->upgrade_websocket = strcasecmp(val, "websocket") == 0;
            else if (IS("Connection"))
                h->connection_upgrade = h->connection_upgrade || has_token(val, "upgrade");
            else if (IS("Sec-WebSocket-Accept"))
                copy_val(h->accept, sizeof h->accept, v, vl);
            else if (IS("Sec-WebSocket-Protocol"))
                copy_val(h->protocol, sizeof h->protocol, v, vl);
            else if (IS("Content-Length"))
                h->content_length = strtol(val, NULL, 10);
            else if (IS("Transfer-Encoding"))
                h->chunked = has_token(val, "chunked");
            else if (IS("Content-Type"))
                copy_val(h->content_type, sizeof h->content_type, v, vl);
#undef IS
        }
        line = eol + 1;
    }
    return 1;
}

int
kube_wsproto_check_101(const struct kube_ws_head *h, const char *key, const char *const *protocols,
                       bool allow_none, const char *url, struct pxerr *err)
{
    if (h->code != 101)
        return pxerr_set(err, PXE_HTTP, "%s: expected 101 Switching Protocols, got %d", url,
                         h->code);
    if (!h->upgrade_websocket || !h->connection_upgrade)
        return pxerr_set(err, PXE_HTTP,
                         "%s: the 101 does not upgrade to websocket (Upgrade "
                         "and Connection headers); a proxy in between may not pass WebSockets",
                         url);
    char want[KUBE_WS_ACCEPT_LEN + 1];
    kube_wsproto_accept(key, want);
    if (strcmp(h->accept, want) != 0)
        return pxerr_set(err, PXE_HTTP,
                         "%s: wrong Sec-WebSocket-Accept \"%s\" (expected "
                         "\"%s\"): not the server's answer to this handshake",
                         url, h->accept, want);
    if (h->protocol[0] == '\0') {
        if (allow_none || protocols == NULL || protocols[0] == NULL)
            return 0;
        return pxerr_set(err, PXE_UNSUPPORTED,
                         "%s: the API server chose none of the offered "
                         "WebSocket subprotocols (first: %s); it may be too old (exec over "
                         "WebSockets needs Kubernetes 1.30 or later)",
                         url, protocols[0]);
    }
    for (size_t i = 0; protocols != NULL && protocols[i]; i++)
        if (strcmp(protocols[i], h->protocol) == 0)
            return 0;
    return pxerr_set(err, PXE_HTTP,
                     "%s: the API server chose subprotocol \"%s\", which was not "
                     "offered",
                     url, h->protocol);
}

/* The Status message of body, or its first line when it is not JSON; "" if none. */
static void
body_message(const char *body, size_t len, char *out, size_t n)
{
    out[0] = '\0';
    if (body == NULL || len == 0)
        return;
    json_t *st = json_loadb(body, len, 0, NULL);
    if (st != NULL) {
        const char *m = json_string_value(json_object_get(st, "message"));
        snprintf(out, n, "%s", m ? m : "");
        json_decref(st);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n && k < 160; i++) {
        char c = body[i];
        if (c == '\n' && k > 0)
            break;
        out[k++] = (c == '\r' || c == '\t' || c == '\n') ? ' ' : c;
    }
    out[k] = '\0';
}

int
kube_wsproto_refusal(long code, const char *body, size_t body_len, const struct kube_ws_what *w,
                     struct pxerr *err)
{
    char msg[200];
    body_message(body, body_len, msg, sizeof msg);
    const char *res = w->resource ? w->resource : "the stream";
    const char *ns = w->ns ? w->ns : "";
    const char *pod = w->pod ? w->pod : "?";
    const char *srv = w->server ? w->server : "the API server";
    switch (code) {
    case 401:
        return pxerr_set(err, PXE_AUTH,
                         "unauthorized: cannot create %s in namespace %s (401 from %s): the "
                         "server refused the credentials of user '%s'; check the token, "
                         "certificate or exec plugin",
                         res, ns, srv, w->user ? w->user : "(none)");
    case 403:
        /* An API server authorizes the upgrade as the verb 'create' on the subresource,
         * also for the GET a WebSocket client sends (Kubernetes 1.30 and later). */
        return pxerr_set(err, PXE_FORBIDDEN,
                         "forbidden: cannot create %s in namespace %s (the RBAC verb 'create' "
                         "on '%s' is needed)",
                         res, ns, res);
    case 404:
        return pxerr_set(err, PXE_NOTFOUND, "pod %s/%s is gone (404 from %s)%s%s", ns, pod, srv,
                         msg[0] ? ": " : "", msg);
    case 400:
        return pxerr_set(err, PXE_HTTP, "cannot create %s for pod %s/%s (400 from %s): %s", res, ns,
                         pod, srv, msg[0] ? msg : "bad request");
    default:
        return pxerr_set(err, PXE_HTTP, "%s: cannot create %s for pod %s/%s (%ld from %s)%s%s",
                         code >= 500 ? "server error" : "request refused", res, ns, pod, code, srv,
                         msg[0] ? ": " : "", msg);
    }
}

/* ------------------------------------------------------------ port-forward */

int
kube_pf_demux_feed(struct kube_pf_demux *d, const uint8_t *msg, size_t len, const uint8_t **payload,
                   size_t *plen, struct pxerr *err)
{
    *payload = NULL;
    *plen = 0;
    if (len == 0)
        return pxerr_set(err, PXE_PARSE, "port-forward: an empty message (no channel byte)");
    uint8_t ch = msg[0];
    if (ch > 1)
        return pxerr_set(err, PXE_PARSE,
                         "port-forward: a message on channel %u; one port was "
                         "asked for (channels 0 and 1)",
                         ch);
    bool *seen = ch == 0 ? &d->data_port : &d->error_port;
    if (!*seen) {
        if (len < 3)
            return pxerr_set(err, PXE_PARSE,
                             "port-forward: the first message on the %s "
                             "channel is %zu bytes; it must announce the port (2 bytes)",
                             ch == 0 ? "data" : "error", len - 1);
        int port = msg[1] | msg[2] << 8;
        if (port != d->port)
            return pxerr_set(err, PXE_PARSE,
                             "port-forward: the %s channel announced port %d, "
                             "not the port %d asked for",
                             ch == 0 ? "data" : "error", port, d->port);
        *seen = true;
        if (len == 3)
            return KUBE_PF_PORT;
        /* Bytes after the port in the same message are the stream's first bytes. */
        *payload = msg + 3;
        *plen = len - 3;
        return ch == 0 ? KUBE_PF_DATA : KUBE_PF_ERROR;
    }
    *payload = msg + 1;
    *plen = len - 1;
    return ch == 0 ? KUBE_PF_DATA : KUBE_PF_ERROR;
}

/* ------------------------------------------------------------ exec status */

int
kube_exec_status_parse(const char *json, size_t len, int *exit_code, char *msg, size_t msg_n,
                       struct pxerr *err)
{
    *exit_code = -1;
    if (msg != NULL && msg_n > 0)
        msg[0] = '\0';
    json_error_t je;
    json_t *st = json_loadb(json, len, 0, &je);
    if (st == NULL || !json_is_object(st)) {
        json_decref(st);
        return pxerr_set(err, PXE_PARSE, "exec: the status channel holds no Status object (%s)",
                         st == NULL ? je.text : "not an object");
    }
    const char *status = json_string_value(json_object_get(st, "status"));
    const char *reason = json_string_value(json_object_get(st, "reason"));
    const char *m = json_string_value(json_object_get(st, "message"));
    if (msg != NULL && msg_n > 0)
        snprintf(msg, msg_n, "%s", m ? m : "");
    int rc = 0;
    if (status != NULL && strcmp(status, "Success") == 0) {
        *exit_code = 0;
    } else if (status != NULL && strcmp(status, "Failure") == 0 && reason != NULL &&
               strcmp(reason, "NonZeroExitCode") == 0) {
        json_t *causes = json_object_get(json_object_get(st, "details"), "causes");
        size_t i;
        json_t *c;
        json_array_foreach(causes, i, c)
        {
            const char *cr = json_string_value(json_object_get(c, "reason"));
            const char *cm = json_string_value(json_object_get(c, "message"));
            char *e = NULL;
            long v = cm ? strtol(cm, &e, 10) : -1;
            if (cr && strcmp(cr, "ExitCode") == 0 && e && e != cm && *e == '\0' && v >= 0 &&
                v <= 255) {
                *exit_code = (int)v;
                break;
            }
        }
        if (*exit_code < 0)
            rc = pxerr_set(err, PXE_PARSE, "exec: NonZeroExitCode without an ExitCode cause: %s",
                           m ? m : "");
    } else if (status != NULL && strcmp(status, "Failure") == 0) {
        rc = pxerr_set(err, PXE_HTTP, "%s", m && m[0] ? m : reason ? reason : "exec failed");
    } else {
        rc = pxerr_set(err, PXE_PARSE, "exec: a Status with status \"%s\"",
                       status ? status : "(none)");
    }
    json_decref(st);
    return rc;
}
