/* ksim_http: kubesim's HTTP face on libmicrohttpd (one thread per connection, TLS and
 * client certificates through GnuTLS). This file owns the server and routes Kubernetes
 * API paths to the handlers of the files around it (ksim_http.h): discovery and
 * OpenAPI, LIST, WATCH, one object's reads and writes; every error is a Status object,
 * and the fault switches set through /_ksim/fault apply before anything else. It holds no
 * state of its own beyond the connection being served. */
#include "ksim_http.h"
#include "ksim_stream.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static size_t
split_path(char *path, char **seg, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(path, "/", &save); p && n < max; p = strtok_r(NULL, "/", &save))
        seg[n++] = p;
    return n;
}

static const char *
verb_of(const char *method, const struct ksim_target *t, struct MHD_Connection *c)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return t->name ? "get" : ksim_truthy(ksim_qarg(c, "watch")) ? "watch" : "list";
    if (strcmp(method, "POST") == 0)
        return "create";
    if (strcmp(method, "PUT") == 0)
        return "update";
    if (strcmp(method, "PATCH") == 0)
        return "patch";
    if (strcmp(method, "DELETE") == 0)
        return t->name ? "delete" : "deletecollection";
    return method;
}

static enum MHD_Result
route(struct ksim_server *srv, struct MHD_Connection *c, const char *url, const char *method,
      struct ksim_req *req)
{
    struct ksim_store *st = srv->st;
    if (strncmp(url, "/_ksim/", 7) == 0) {
        char user[256];
        if (ksim_auth_identify(srv, c, user, sizeof user) != KSIM_ROLE_ADMIN)
            return ksim_reply_err(c, 401, "Unauthorized", "Unauthorized");
        return ksim_fault_control(srv, c, url, method, req);
    }
    enum MHD_Result fret;
    if (ksim_fault_answer(srv, c, &fret))
        return fret;
    char user[256];
    enum ksim_role role = ksim_auth_identify(srv, c, user, sizeof user);
    if (role == KSIM_ROLE_NONE)
        return ksim_reply_err(c, 401, "Unauthorized", "Unauthorized");

    if (strcmp(url, "/version") == 0 || strcmp(url, "/version/") == 0)
        return ksim_reply_json(c, 200,
                               json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major",
                                         "1", "minor", "32", "gitVersion", "v1.32.4-ksim",
                                         "gitCommit", "0000000000000000000000000000000000000000",
                                         "gitTreeState", "clean", "buildDate",
                                         "2026-01-01T00:00:00Z", "goVersion", "go1.23.8",
                                         "compiler", "gc", "platform", "linux/amd64"));
    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/livez") == 0 || strcmp(url, "/readyz") == 0) {
        char *ok = xstrdup("ok");
        return ksim_reply_buf(c, 200, "text/plain", ok, 2, 0);
    }
    if (strcmp(url, "/openapi/v3") == 0 || strncmp(url, "/openapi/v3/", 12) == 0) {
        pthread_mutex_lock(&st->mu);
        json_t *j = url[11] == '\0' ? ksim_openapi_v3_root(st) : ksim_openapi_v3_gv(st, url + 12);
        pthread_mutex_unlock(&st->mu);
        if (j == NULL)
            return ksim_reply_err(c, 404, "NotFound", "no OpenAPI document for %s", url);
        return ksim_reply_json(c, 200, j);
    }
    if (strcmp(url, "/openapi/v2") == 0)
        return ksim_openapi_v2_reply(srv, c);

    char path[2048];
    snprintf(path, sizeof path, "%s", url);
    char *seg[16];
    size_t n = split_path(path, seg, 16);
    const char *group, *version;
    size_t rest;
    if (n >= 1 && strcmp(seg[0], "api") == 0) {
        if (n == 1) {
            json_t *j = json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions",
                                  "v1", "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
                                  "serverAddress", srv->addr);
            return ksim_reply_json(c, 200, j);
        }
        group = "";
        version = seg[1];
        rest = 2;
    } else if (n >= 1 && strcmp(seg[0], "apis") == 0) {
        if (n == 1) {
            pthread_mutex_lock(&st->mu);
            json_t *j = ksim_discovery_groups(st);
            pthread_mutex_unlock(&st->mu);
            return ksim_reply_json(c, 200, j);
        }
        if (n == 2) {
            pthread_mutex_lock(&st->mu);
            json_t *j = ksim_discovery_group(st, seg[1]);
            pthread_mutex_unlock(&st->mu);
            if (j == NULL)
                return ksim_reply_err(c, 404, "NotFound",
                                      "the server could not find the requested "
                                      "resource (API group %s)",
                                      seg[1]);
            return ksim_reply_json(c, 200, j);
        }
        group = seg[1];
        version = seg[2];
        rest = 3;
    } else {
        return ksim_reply_err(c, 404, "NotFound",
                              "the server could not find the requested resource "
                              "(path %s)",
                              url);
    }
    if (n == rest) {
        pthread_mutex_lock(&st->mu);
        json_t *j = ksim_discovery_resources(st, group, version);
        pthread_mutex_unlock(&st->mu);
        if (json_array_size(json_object_get(j, "resources")) == 0) {
            json_decref(j);
            return ksim_reply_err(c, 404, "NotFound",
                                  "the server could not find the requested "
                                  "resource (group version %s%s%s)",
                                  group, group[0] ? "/" : "", version);
        }
        return ksim_reply_json(c, 200, j);
    }
    struct ksim_target t = {.version = version, .ns = ""};
    char **s = seg + rest;
    size_t m = n - rest;
    pthread_mutex_lock(&st->mu);
    struct ksim_res *nsres =
        m >= 3 && strcmp(s[0], "namespaces") == 0 ? ksim_res_find(st, group, version, s[2]) : NULL;
    if (nsres != NULL && nsres->namespaced) {
        t.res = nsres;
        t.ns = s[1];
        t.name = m >= 4 ? s[3] : NULL;
        t.sub = m >= 5 ? s[4] : NULL;
        if (m > 5)
            t.res = NULL;
    } else {
        t.res = ksim_res_find(st, group, version, s[0]);
        t.name = m >= 2 ? s[1] : NULL;
        t.sub = m >= 3 ? s[2] : NULL;
        if (m > 3 || (t.res != NULL && t.res->namespaced && t.name != NULL))
            t.res = NULL;
    }
    pthread_mutex_unlock(&st->mu);
    if (t.res == NULL)
        return ksim_reply_err(c, 404, "NotFound",
                              "the server could not find the requested resource "
                              "(path %s)",
                              url);
    bool scalable =
        strcmp(t.res->group, "apps") == 0 &&
        (strcmp(t.res->plural, "statefulsets") == 0 || strcmp(t.res->plural, "deployments") == 0);
    bool pods = strcmp(t.res->plural, "pods") == 0 && t.res->group[0] == '\0';
    /* exec, attach and portforward are connect verbs: since Kubernetes 1.30 the API server
     * authorizes them as "create" whether the upgrade request is a POST (SPDY) or a GET
     * (WebSocket), the AuthorizePodWebsocketUpgradeCreatePermission feature. */
    bool streaming = pods && t.name != NULL && t.sub != NULL &&
                     (strcmp(t.sub, "exec") == 0 || strcmp(t.sub, "attach") == 0 ||
                      strcmp(t.sub, "portforward") == 0);
    if (t.sub != NULL &&
        !(strcmp(t.sub, "status") == 0 || (strcmp(t.sub, "scale") == 0 && scalable) ||
          (strcmp(t.sub, "log") == 0 && pods) || streaming))
        return ksim_reply_err(c, 404, "NotFound",
                              "the server could not find the requested resource "
                              "(subresource %s of %s)",
                              t.sub, t.res->plural);

    const char *acc = ksim_hdr(c, "Accept");
    t.meta_only =
        acc != NULL && strstr(acc, "as=PartialObjectMetadata") != NULL && !ksim_wants_table(c);
    const char *verb = streaming ? "create" : verb_of(method, &t, c);
    bool read = strcmp(verb, "get") == 0 || strcmp(verb, "list") == 0 || strcmp(verb, "watch") == 0;
    bool forbidden = role == KSIM_ROLE_READONLY && !read;
    if (t.sub != NULL && !forbidden) {
        char what[200];
        snprintf(what, sizeof what, "%s/%s", t.res->plural, t.sub);
        forbidden = ksim_auth_denied(srv, user, what);
    }
    for (size_t i = 0; role == KSIM_ROLE_READONLY && i < srv->forbid.n; i++)
        forbidden = forbidden || strcmp(vec_at(&srv->forbid, i), t.res->plural) == 0;
    if (forbidden) {
        char what[600];
        if (t.name != NULL)
            snprintf(what, sizeof what, "%s%s%s \"%s\" is forbidden", t.res->plural,
                     t.res->group[0] ? "." : "", t.res->group, t.name);
        else
            snprintf(what, sizeof what, "%s%s%s is forbidden", t.res->plural,
                     t.res->group[0] ? "." : "", t.res->group);
        return ksim_reply_err(
            c, 403, "Forbidden",
            "%s: User \"%s\" cannot %s resource \"%s%s%s\" in API group \"%s\"%s%s%s", what, user,
            verb, t.res->plural, t.sub ? "/" : "", t.sub ? t.sub : "", t.res->group,
            t.ns[0] ? " in the namespace \"" : " at the cluster scope", t.ns, t.ns[0] ? "\"" : "");
    }
    if (t.sub != NULL && strcmp(t.sub, "scale") == 0)
        return ksim_object_scale(srv, c, method, &t, req);
    if (streaming)
        return ksim_stream_reply(srv, c, method, &t, req);
    if (strcmp(verb, "list") == 0)
        return ksim_list_reply(srv, c, &t);
    if (strcmp(verb, "watch") == 0)
        return ksim_watch_reply(srv, c, &t);
    if (strcmp(verb, "get") == 0)
        return ksim_object_get(srv, c, &t);
    if (strcmp(method, "POST") == 0 && t.name != NULL)
        return ksim_reply_err(c, 405, "MethodNotAllowed",
                              "POST to a named object is not supported; "
                              "POST to the collection");
    if ((strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) && t.name == NULL)
        return ksim_reply_err(c, 405, "MethodNotAllowed", "%s needs an object name in the path",
                              method);
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0 ||
        strcmp(method, "DELETE") == 0)
        return ksim_object_write(srv, c, method, &t, req);
    return ksim_reply_err(c, 405, "MethodNotAllowed", "method %s is not supported", method);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct ksim_server *srv = cls;
    (void)version;
    struct ksim_req *req = *con_cls;
    if (req == NULL) {
        req = xcalloc(1, sizeof *req);
        strbuf_init(&req->body);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (req->body.len + *upload_size > KSIM_MAX_BODY)
            req->too_big = true;
        else
            strbuf_appendn(&req->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return route(srv, c, url, method, req);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct ksim_req *req = *con_cls;
    if (req != NULL) {
        ksim_stream_free(req->stream); /* an upgrade that never happened */
        strbuf_fini(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    /* TLS handshakes of clients that give up (curl without -k) and connections closed on
     * purpose (faults) are not our errors. */
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (strstr(buf, "TLS") || strstr(buf, "handshake") || strstr(buf, "Socket") ||
        strstr(buf, "Closing connection"))
        return;
    fprintf(stderr, "kubesim: libmicrohttpd: %s", buf);
}

int
ksim_http_start(struct ksim_store *st, const struct ksim_http_opts *o, struct ksim_server **out,
                struct pxerr *err)
{
    struct ksim_server *srv = xcalloc(1, sizeof *srv);
    srv->st = st;
    srv->tls = o->tls;
    vec_init(&srv->tokens, ksim_auth_token_free);
    vec_init(&srv->forbid, free);
    for (size_t i = 0; o->forbid && i < o->forbid->n; i++)
        vec_push(&srv->forbid, xstrdup(vec_at(o->forbid, i)));
    if (o->token)
        ksim_auth_token_add(srv, o->token, "ksim-admin", KSIM_ROLE_ADMIN);
    if (o->ro_token)
        ksim_auth_token_add(srv, o->ro_token, "ksim-readonly", KSIM_ROLE_READONLY);
    if (o->tokens_file && ksim_auth_tokens_load(srv, o->tokens_file, err) != 0) {
        ksim_http_stop(srv);
        return err ? err->code : PXE_PARSE;
    }
    srv->auth_required = o->tls || srv->tokens.n > 0;

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->ip, &sa.sin_addr) != 1) {
        ksim_http_stop(srv);
        return pxerr_set(err, PXE_USAGE, "--listen: \"%s\" is not an IPv4 address", o->ip);
    }
    unsigned idle_s = o->idle_timeout_s ? o->idle_timeout_s : 120;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | MHD_USE_POLL | MHD_ALLOW_UPGRADE;
    if (o->tls)
        flags |= MHD_USE_TLS;
    if (o->tls)
        srv->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, srv,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_SOCK_ADDR,
                                  &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                  MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_HTTPS_MEM_CERT,
                                  o->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
                                  MHD_OPTION_HTTPS_MEM_TRUST, o->ca_pem, MHD_OPTION_END);
    else
        srv->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, srv,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_SOCK_ADDR,
                                  &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                  MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_END);
    if (srv->d == NULL) {
        ksim_http_stop(srv);
        return pxerr_set(err, PXE_IO,
                         "cannot listen on %s:%d (address in use, or not a local address?); "
                         "choose another with --listen IP:PORT",
                         o->ip, o->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : o->port;
    snprintf(srv->addr, sizeof srv->addr, "%s:%d", o->ip, srv->port);
    *out = srv;
    return 0;
}

int
ksim_http_port(const struct ksim_server *srv)
{
    return srv->port;
}

void
ksim_http_stop(struct ksim_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->d != NULL) {
        pthread_mutex_lock(&srv->st->mu);
        srv->st->stopping = true;
        pthread_cond_broadcast(&srv->st->cond);
        /* Upgraded connections end on their own within a poll interval (they see
         * stopping); libmicrohttpd waits for them, so they go first. */
        for (int i = 0; i < 100 && srv->n_streams > 0; i++)
            ksim_store_wait_ms_locked(srv->st, 50);
        pthread_mutex_unlock(&srv->st->mu);
        MHD_stop_daemon(srv->d);
    }
    ksim_exec_cleanup(srv);
    vec_fini(&srv->tokens);
    vec_fini(&srv->forbid);
    free(srv);
}
