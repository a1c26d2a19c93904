/* ksim_probe: probe pods that kubesim really runs. A pod whose first container's
 * command is `nslookup HOST [SERVER]`, `nc -zv [-w N] HOST PORT`, `curl -s
 * localhost:15000/clusters`, `echo ...` or `sleep N` (alone or joined with ; && || in
 * `sh -c "..."`) is executed on a thread of its own: DNS questions go over UDP to the
 * lab's DNS server (--dns), TCP connects are made only to loopback addresses (anything
 * else reports a timeout without sending a packet), and the curl of Envoy's admin port
 * answers from the ServiceEntries and Services in the store. The output, in the tools'
 * own formats, becomes the container's log and the exit status its terminated state.
 * Any other command is not a probe: the pod just runs. */
#include "ksim_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"

enum step_kind { STEP_DNS, STEP_TCP, STEP_CLUSTERS, STEP_ECHO, STEP_SLEEP };
enum conn { CONN_SEQ, CONN_AND, CONN_OR };

struct step {
    enum step_kind kind;
    enum conn conn;  /* how it joins the previous step */
    struct vec argv; /* owned char * */
};

struct probe {
    struct ksim_store *st;
    char *ns, *name, *uid, *container;
    bool sidecar; /* istio-proxy as a regular container: the pod keeps running */
    bool mesh;    /* any istio-proxy (regular or native): Envoy's admin port answers */
    struct vec steps;
};

static void
step_free(void *p)
{
    struct step *s = p;
    vec_fini(&s->argv);
    free(s);
}

static const char *
base(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

/* Split a shell command line into steps: words with '' and "" quotes, joined by ; && ||
 * or newlines. Anything fancier (pipes, redirections, $vars) makes it not a probe. */
static bool
split_script(const char *s, struct vec *steps)
{
    struct step *cur = NULL;
    enum conn next_conn = CONN_SEQ;
    struct strbuf w;
    strbuf_init(&w);
    bool ok = true, in_word = false;
    for (const char *p = s;; p++) {
        char c = *p;
        bool end_word = c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == ';' ||
                        (c == '&' && p[1] == '&') || (c == '|' && p[1] == '|');
        if (end_word && in_word) {
            if (cur == NULL) {
                cur = xcalloc(1, sizeof *cur);
                vec_init(&cur->argv, free);
                cur->conn = next_conn;
                vec_push(steps, cur);
            }
            vec_push(&cur->argv, strbuf_detach(&w));
            in_word = false;
        }
        if (c == '\0')
            break;
        if (c == ';' || c == '\n' || (c == '&' && p[1] == '&') || (c == '|' && p[1] == '|')) {
            next_conn = c == '&' ? CONN_AND : c == '|' ? CONN_OR : CONN_SEQ;
            if (c == '&' || c == '|')
                p++;
            cur = NULL;
            continue;
        }
        if (c == ' ' || c == '\t')
            continue;
        if (c == '|' || c == '>' || c == '<' || c == '$' || c == '`' || c == '&') {
            ok = false;
            break;
        }
        in_word = true;
        if (c == '\'' || c == '"') {
            const char *q = strchr(p + 1, c);
            if (q == NULL) {
                ok = false;
                break;
            }
            strbuf_appendn(&w, p + 1, (size_t)(q - p - 1));
            if (w.len == 0)
                strbuf_append(&w, ""); /* keep "" as a word */
            p = q;
            continue;
        }
        strbuf_appendc(&w, c);
    }
    strbuf_fini(&w);
    return ok;
}

static bool
classify(struct step *s)
{
    if (s->argv.n == 0)
        return false;
    const char *cmd = base(vec_at(&s->argv, 0));
    if (strcmp(cmd, "nslookup") == 0)
        s->kind = STEP_DNS;
    else if (strcmp(cmd, "nc") == 0 || strcmp(cmd, "ncat") == 0 || strcmp(cmd, "netcat") == 0)
        s->kind = STEP_TCP;
    else if (strcmp(cmd, "echo") == 0)
        s->kind = STEP_ECHO;
    else if (strcmp(cmd, "sleep") == 0)
        s->kind = STEP_SLEEP;
    else if (strcmp(cmd, "curl") == 0) {
        bool clusters = false;
        for (size_t i = 1; i < s->argv.n; i++) {
            const char *a = vec_at(&s->argv, i);
            if (strstr(a, "localhost:15000/clusters") || strstr(a, "127.0.0.1:15000/clusters"))
                clusters = true;
        }
        if (!clusters)
            return false;
        s->kind = STEP_CLUSTERS;
    } else
        return false;
    if (s->kind == STEP_TCP) {
        /* -z is what makes nc a probe; -u (UDP) is not supported. */
        bool z = false;
        for (size_t i = 1; i < s->argv.n; i++) {
            const char *a = vec_at(&s->argv, i);
            if (a[0] == '-' && strchr(a, 'z'))
                z = true;
            if (a[0] == '-' && strchr(a, 'u'))
                return false;
        }
        return z;
    }
    return true;
}

/* Parse pod's command into steps (vec of struct step *). false: not a probe. */
static bool
parse_pod(const json_t *pod, struct vec *steps, char **container)
{
    json_t *c = json_array_get(ksim_path_get((json_t *)pod, "spec.containers"), 0);
    struct vec argv;
    vec_init(&argv, NULL);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "command"), i, a) if (json_is_string(a))
        vec_push(&argv, (void *)json_string_value(a));
    json_array_foreach(json_object_get(c, "args"), i, a) if (json_is_string(a))
        vec_push(&argv, (void *)json_string_value(a));
    bool ok = false;
    if (argv.n >= 3 && strcmp(vec_at(&argv, 1), "-c") == 0 &&
        (strcmp(base(vec_at(&argv, 0)), "sh") == 0 || strcmp(base(vec_at(&argv, 0)), "bash") == 0 ||
         strcmp(base(vec_at(&argv, 0)), "ash") == 0)) {
        ok = split_script(vec_at(&argv, 2), steps);
    } else if (argv.n > 0) {
        struct step *s = xcalloc(1, sizeof *s);
        vec_init(&s->argv, free);
        for (i = 0; i < argv.n; i++)
            vec_push(&s->argv, xstrdup(vec_at(&argv, i)));
        vec_push(steps, s);
        ok = true;
    }
    vec_fini(&argv);
    bool any = false;
    for (i = 0; ok && i < steps->n; i++) {
        struct step *s = vec_at(steps, i);
        ok = classify(s);
        any = any || s->kind == STEP_DNS || s->kind == STEP_TCP || s->kind == STEP_CLUSTERS;
    }
    if (ok && any && container != NULL)
        *container = xstrdup(json_string_value(json_object_get(c, "name")));
    return ok && any;
}

bool
ksim_probe_is_probe(const json_t *pod)
{
    struct vec steps;
    vec_init(&steps, step_free);
    bool yes = parse_pod(pod, &steps, NULL);
    vec_fini(&steps);
    return yes;
}

/* ---- DNS over UDP ---- */

static int
parse_server(const char *server, struct sockaddr_in *sa)
{
    char host[64];
    int port = 53;
    snprintf(host, sizeof host, "%s", server);
    char *colon = strchr(host, ':');
    if (colon != NULL) {
        *colon = '\0';
        port = atoi(colon + 1);
    }
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static bool
is_loopback(const struct in_addr *a)
{
    return (ntohl(a->s_addr) >> 24) == 127;
}

/* Skip a (possibly compressed) name at off; returns the offset after it or -1. */
static int
skip_name(const unsigned char *m, int len, int off)
{
    while (off < len) {
        unsigned l = m[off];
        if (l == 0)
            return off + 1;
        if ((l & 0xc0) == 0xc0)
            return off + 2 <= len ? off + 2 : -1;
        off += (int)l + 1;
    }
    return -1;
}

int
ksim_dns_query(const char *server, const char *name, char addrs[][64], int max, int timeout_ms,
               struct pxerr *err)
{
    struct sockaddr_in sa;
    if (server == NULL || parse_server(server, &sa) != 0)
        return pxerr_set(err, PXE_DNS, "no DNS server configured (kubesim --dns IP[:PORT])"), -1;
    if (!is_loopback(&sa.sin_addr))
        return pxerr_set(err, PXE_DNS, "DNS server %s is not on loopback; refusing", server), -1;
    unsigned char q[512];
    size_t n = 0;
    uint16_t id = (uint16_t)(clock_mono_ms() ^ (uint64_t)getpid());
    q[n++] = (unsigned char)(id >> 8);
    q[n++] = (unsigned char)id;
    q[n++] = 0x01; /* RD */
    q[n++] = 0x00;
    q[n++] = 0, q[n++] = 1; /* QDCOUNT */
    memset(q + n, 0, 6);
    n += 6;
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l == 0 || l > 63 || n + l + 6 > sizeof q)
            return pxerr_set(err, PXE_DNS, "invalid name \"%s\"", name), -1;
        q[n++] = (unsigned char)l;
        memcpy(q + n, p, l);
        n += l;
        p += l;
        if (*p == '.')
            p++;
    }
    q[n++] = 0;
    q[n++] = 0, q[n++] = 1; /* A */
    q[n++] = 0, q[n++] = 1; /* IN */
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return pxerr_set(err, PXE_DNS, "socket: %s", strerror(errno)), -1;
    int got = -1;
    for (int attempt = 0; attempt < 2 && got < 0; attempt++) {
        if (sendto(fd, q, n, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
            pxerr_set(err, PXE_DNS, "sendto %s: %s", server, strerror(errno));
            break;
        }
        uint64_t deadline = clock_mono_ms() + (uint64_t)(timeout_ms / 2);
        for (;;) {
            uint64_t now = clock_mono_ms();
            if (now >= deadline) {
                pxerr_set(err, PXE_TIMEOUT, "connection timed out; no servers could be reached");
                break;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
                continue;
            unsigned char r[1500];
            ssize_t rl = recv(fd, r, sizeof r, 0);
            if (rl < 0) {
                pxerr_set(err, PXE_DNS, "recv from %s: %s", server, strerror(errno));
                if (errno == ECONNREFUSED)
                    break;
                continue;
            }
            if (rl < 12 || r[0] != q[0] || r[1] != q[1])
                continue;
            int rcode = r[3] & 0x0f;
            if (rcode != 0) {
                static const char *const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                                    "NXDOMAIN", "NOTIMP",  "REFUSED"};
                got = 0;
                pxerr_set(err, PXE_NOTFOUND, "%s", rcode < 6 ? names[rcode] : "SERVFAIL");
                goto done;
            }
            int len = (int)rl, off = 12;
            int qd = r[4] << 8 | r[5], an = r[6] << 8 | r[7];
            for (int i = 0; i < qd && off >= 0; i++)
                off = skip_name(r, len, off) + 4;
            got = 0;
            for (int i = 0; i < an && off > 0 && off < len; i++) {
                off = skip_name(r, len, off);
                if (off < 0 || off + 10 > len)
                    break;
                int type = r[off] << 8 | r[off + 1];
                int rdlen = r[off + 8] << 8 | r[off + 9];
                off += 10;
                if (off + rdlen > len)
                    break;
                if (type == 1 && rdlen == 4 && got < max)
                    inet_ntop(AF_INET, r + off, addrs[got++], 64);
                off += rdlen;
            }
            if (got == 0)
                pxerr_set(err, PXE_NOTFOUND, "No answer");
            goto done;
        }
        if (errno == ECONNREFUSED)
            break;
    }
done:
    close(fd);
    return got;
}

/* ---- the steps ---- */

static const char *
positional(const struct step *s, int which, int skip_value_opts)
{
    int seen = 0;
    for (size_t i = 1; i < s->argv.n; i++) {
        const char *a = vec_at(&s->argv, i);
        if (a[0] == '-') {
            /* nc -w N and -p N take a value */
            if (skip_value_opts &&
                (strcmp(a, "-w") == 0 || strcmp(a, "-p") == 0 || strcmp(a, "-s") == 0))
                i++;
            continue;
        }
        if (seen++ == which)
            return a;
    }
    return NULL;
}

static int
run_dns(const struct step *s, const char *dns, struct strbuf *out)
{
    const char *host = positional(s, 0, 0);
    const char *server = positional(s, 1, 0);
    if (server == NULL)
        server = dns;
    if (host == NULL) {
        strbuf_append(out, "Usage: nslookup [-type=QUERY_TYPE] HOST [DNS_SERVER]\n");
        return 1;
    }
    char addrs[16][64];
    struct pxerr err = {0};
    int n = ksim_dns_query(server, host, addrs, 16, 4000, &err);
    char srv[64] = "", port[16] = "53";
    if (server != NULL) {
        snprintf(srv, sizeof srv, "%s", server);
        char *c = strchr(srv, ':');
        if (c != NULL) {
            *c = '\0';
            snprintf(port, sizeof port, "%s", c + 1);
        }
    }
    if (n < 0) {
        strbuf_appendf(out, ";; connection timed out; no servers could be reached\n");
        if (err.code != PXE_TIMEOUT)
            strbuf_appendf(out, ";; (kubesim: %s)\n", err.msg);
        strbuf_append(out, "\n");
        return 1;
    }
    strbuf_appendf(out, "Server:\t\t%s\nAddress:\t%s#%s\n\n", srv, srv, port);
    if (n == 0) {
        if (strcmp(err.msg, "No answer") == 0)
            strbuf_appendf(out, "*** Can't find %s: No answer\n\n", host);
        else
            strbuf_appendf(out, "** server can't find %s: %s\n\n", host, err.msg);
        return 1;
    }
    for (int i = 0; i < n; i++)
        strbuf_appendf(out, "Name:\t%s\nAddress: %s\n", host, addrs[i]);
    strbuf_append(out, "\n");
    return 0;
}

static int
run_tcp(const struct step *s, const char *dns, struct strbuf *out)
{
    const char *host = positional(s, 0, 1), *port = positional(s, 1, 1);
    int wait_s = 2;
    for (size_t i = 1; i + 1 < s->argv.n; i++)
        if (strcmp(vec_at(&s->argv, i), "-w") == 0)
            wait_s = atoi(vec_at(&s->argv, i + 1));
    if (wait_s <= 0 || wait_s > 10)
        wait_s = 2;
    if (host == NULL || port == NULL) {
        strbuf_append(out, "usage: nc [-46CDdFhklNnrStUuvZz] [-w timeout] destination port\n");
        return 1;
    }
    struct in_addr a;
    char ip[64];
    if (strcmp(host, "localhost") == 0) {
        snprintf(ip, sizeof ip, "127.0.0.1");
    } else if (inet_pton(AF_INET, host, &a) == 1) {
        snprintf(ip, sizeof ip, "%s", host);
    } else {
        char addrs[4][64];
        struct pxerr err = {0};
        if (ksim_dns_query(dns, host, addrs, 4, 4000, &err) <= 0) {
            strbuf_appendf(out, "nc: getaddrinfo for host \"%s\" port %s: %s\n", host, port,
                           err.code == PXE_TIMEOUT ? "Temporary failure in name resolution"
                                                   : "Name or service not known");
            return 1;
        }
        snprintf(ip, sizeof ip, "%s", addrs[0]);
    }
    inet_pton(AF_INET, ip, &a);
    if (!is_loopback(&a)) {
        /* The lab never sends a packet off loopback: an outside address looks unreachable. */
        strbuf_appendf(out,
                       "nc: connect to %s (%s) port %s (tcp) timed out: Operation now in "
                       "progress\n",
                       host, ip, port);
        return 1;
    }
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_addr = a, .sin_port = htons((uint16_t)atoi(port))};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    int soerr = 0;
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, wait_s * 1000) == 1) {
            socklen_t sl = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            rc = soerr == 0 ? 0 : -1;
        } else {
            soerr = ETIMEDOUT;
        }
    } else if (rc != 0) {
        soerr = errno;
    }
    close(fd);
    if (rc == 0) {
        strbuf_appendf(out, "Connection to %s (%s) %s port [tcp/*] succeeded!\n", host, ip, port);
        return 0;
    }
    if (soerr == ETIMEDOUT)
        strbuf_appendf(out,
                       "nc: connect to %s (%s) port %s (tcp) timed out: Operation now in "
                       "progress\n",
                       host, ip, port);
    else
        strbuf_appendf(out, "nc: connect to %s (%s) port %s (tcp) failed: %s\n", host, ip, port,
                       strerror(soerr));
    return 1;
}

static void
cluster_lines(struct strbuf *out, const char *cluster, struct vec *endpoints)
{
    static const char *const prio[] = {"max_connections", "max_pending_requests", "max_requests",
                                       "max_retries"};
    strbuf_appendf(out, "%s::observability_name::%s\n", cluster, cluster);
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < 4; i++)
            strbuf_appendf(out, "%s::%s_priority::%s::%s\n", cluster, p ? "high" : "default",
                           prio[i], "4294967295");
    strbuf_appendf(out, "%s::added_via_api::true\n", cluster);
    static const char *const stats[] = {"cx_active", "cx_connect_fail", "cx_total",   "rq_active",
                                        "rq_error",  "rq_success",      "rq_timeout", "rq_total"};
    for (size_t e = 0; e < endpoints->n; e++) {
        const char *ep = vec_at(endpoints, e);
        for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++)
            strbuf_appendf(out, "%s::%s::%s::0\n", cluster, ep, stats[i]);
        strbuf_appendf(out,
                       "%s::%s::hostname::\n%s::%s::health_flags::healthy\n%s::%s::weight::1\n"
                       "%s::%s::region::\n%s::%s::zone::\n%s::%s::sub_zone::\n"
                       "%s::%s::canary::false\n%s::%s::priority::0\n"
                       "%s::%s::success_rate::-1\n%s::%s::local_origin_success_rate::-1\n",
                       cluster, ep, cluster, ep, cluster, ep, cluster, ep, cluster, ep, cluster, ep,
                       cluster, ep, cluster, ep, cluster, ep, cluster, ep);
    }
}

void
ksim_probe_clusters_dump_locked(struct ksim_store *st, struct strbuf *out)
{
    struct vec eps;
    vec_init(&eps, free);
    static const char *const fixed[] = {"BlackHoleCluster",
                                        "PassthroughCluster",
                                        "InboundPassthroughCluster",
                                        "agent",
                                        "prometheus_stats",
                                        "sds-grpc",
                                        "xds-grpc"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        vec_clear(&eps);
        if (strcmp(fixed[i], "xds-grpc") == 0)
            vec_push(&eps, xstrdup("./etc/istio/proxy/XDS"));
        cluster_lines(out, fixed[i], &eps);
    }
    struct ksim_res *ser = ksim_res_find(st, "networking.istio.io", NULL, "serviceentries");
    for (size_t i = 0; ser != NULL && i < ser->sorted.n; i++) {
        json_t *se = ksim_blob_parse(((struct ksim_obj *)vec_at(&ser->sorted, i))->blob);
        json_t *spec = json_object_get(se, "spec");
        size_t h, p;
        json_t *host, *port;
        json_array_foreach(json_object_get(spec, "hosts"), h, host)
        {
            json_array_foreach(json_object_get(spec, "ports"), p, port)
            {
                json_int_t num = json_integer_value(json_object_get(port, "number"));
                const char *pname = json_string_value(json_object_get(port, "name"));
                char *cluster =
                    xasprintf("outbound|%lld||%s", (long long)num, json_string_value(host));
                vec_clear(&eps);
                size_t e;
                json_t *ep;
                json_array_foreach(json_object_get(spec, "endpoints"), e, ep)
                {
                    json_int_t epp = pname ? json_integer_value(json_object_get(
                                                 json_object_get(ep, "ports"), pname))
                                           : 0;
                    const char *addr = json_string_value(json_object_get(ep, "address"));
                    if (addr != NULL)
                        vec_push(&eps, xasprintf("%s:%lld", addr, (long long)(epp ? epp : num)));
                }
                if (eps.n == 0)
                    vec_push(&eps, xasprintf("%s:%lld", json_string_value(host), (long long)num));
                cluster_lines(out, cluster, &eps);
                free(cluster);
            }
        }
        json_decref(se);
    }
    struct ksim_res *svcr = ksim_res_find(st, "", "v1", "services");
    for (size_t i = 0; svcr != NULL && i < svcr->sorted.n; i++) {
        struct ksim_obj *so = vec_at(&svcr->sorted, i);
        json_t *svc = ksim_blob_parse(so->blob);
        size_t p;
        json_t *port;
        json_array_foreach(ksim_path_get(svc, "spec.ports"), p, port)
        {
            char *cluster = xasprintf("outbound|%lld||%s.%s.svc.cluster.local",
                                      (long long)json_integer_value(json_object_get(port, "port")),
                                      so->name, so->ns);
            vec_clear(&eps);
            cluster_lines(out, cluster, &eps);
            free(cluster);
        }
        json_decref(svc);
    }
    vec_fini(&eps);
}

/* ---- the thread ---- */

static void
set_status(struct probe *pr, bool done, int exit_code)
{
    struct ksim_store *st = pr->st;
    struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
    struct ksim_obj *o = ksim_obj_get_locked(pods, pr->ns, pr->name);
    if (o == NULL)
        return;
    json_t *pod = ksim_blob_parse(o->blob);
    const char *uid = json_string_value(ksim_path_get(pod, "metadata.uid"));
    if (uid == NULL || strcmp(uid, pr->uid) != 0) { /* deleted and re-created meanwhile */
        json_decref(pod);
        return;
    }
    char now[40];
    ksim_now_rfc3339(now, sizeof now);
    json_t *status = ksim_obj_ensure(pod, "status");
    const char *started = json_string_value(json_object_get(status, "startTime"));
    char start[40];
    snprintf(start, sizeof start, "%s", started ? started : now);
    bool keeps_running = done && pr->sidecar;
    const char *phase = !done            ? "Running"
                        : keeps_running  ? "Running"
                        : exit_code == 0 ? "Succeeded"
                                         : "Failed";
    json_object_set_new(status, "phase", json_string(phase));
    bool ready = !done;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(status, "conditions"), i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        if (t && (strcmp(t, "Ready") == 0 || strcmp(t, "ContainersReady") == 0)) {
            json_object_set_new(c, "status", json_string(ready ? "True" : "False"));
            if (done)
                json_object_set_new(c, "reason", json_string("PodCompleted"));
        } else if (t && strcmp(t, "PodReadyToStartContainers") == 0) {
            json_object_set_new(c, "status", json_string("True"));
        }
    }
    json_array_foreach(json_object_get(status, "containerStatuses"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        bool mine = n && strcmp(n, pr->container) == 0;
        if (!mine && done)
            continue; /* the sidecar keeps running */
        char cid[80];
        snprintf(cid, sizeof cid, "containerd://%016llx%016llx",
                 (unsigned long long)clock_mono_ms(), (unsigned long long)(uintptr_t)pr);
        json_object_set_new(c, "containerID", json_string(cid));
        json_object_set_new(c, "started", json_boolean(!(done && mine)));
        json_object_set_new(c, "ready", json_boolean(!(done && mine)));
        if (done && mine)
            json_object_set_new(c, "state",
                                json_pack("{s:{s:i, s:s, s:s, s:s, s:s}}", "terminated", "exitCode",
                                          exit_code, "reason",
                                          exit_code == 0 ? "Completed" : "Error", "startedAt",
                                          start, "finishedAt", now, "containerID", cid));
        else
            json_object_set_new(c, "state", json_pack("{s:{s:s}}", "running", "startedAt", start));
    }
    json_object_del(json_object_get(pod, "metadata"), "resourceVersion");
    struct ksim_status stt;
    json_t *out = NULL;
    if (ksim_api_update_locked(st, pods, pr->ns, pr->name, pod, KSIM_W_STATUS | KSIM_W_NOHOOKS,
                               &out, &stt) != 0)
        fprintf(stderr, "kubesim: probe pod %s/%s: status update failed: %s\n", pr->ns, pr->name,
                stt.msg);
    json_decref(out);
}

static void
probe_free(struct probe *pr)
{
    free(pr->ns);
    free(pr->name);
    free(pr->uid);
    free(pr->container);
    vec_fini(&pr->steps);
    free(pr);
}

static void
store_log(struct probe *pr, const char *text)
{
    char *key = xasprintf("%s/%s/%s", pr->ns, pr->name, pr->container);
    free(hmap_put(&pr->st->logs, key, xstrdup(text)));
    free(key);
}

static void *
probe_main(void *arg)
{
    struct probe *pr = arg;
    struct ksim_store *st = pr->st;
    struct timespec ts = {0, 50 * 1000 * 1000}; /* ContainerCreating, briefly */
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&st->mu);
    set_status(pr, false, 0);
    char *dns = st->dns_server ? xstrdup(st->dns_server) : NULL;
    pthread_mutex_unlock(&st->mu);

    struct strbuf out;
    strbuf_init(&out);
    int rc = 0;
    for (size_t i = 0; i < pr->steps.n; i++) {
        struct step *s = vec_at(&pr->steps, i);
        if (i > 0 && ((s->conn == CONN_AND && rc != 0) || (s->conn == CONN_OR && rc == 0)))
            continue;
        switch (s->kind) {
        case STEP_DNS:
            rc = run_dns(s, dns, &out);
            break;
        case STEP_TCP:
            rc = run_tcp(s, dns, &out);
            break;
        case STEP_ECHO:
            for (size_t a = 1; a < s->argv.n; a++)
                strbuf_appendf(&out, "%s%s", a > 1 ? " " : "", (char *)vec_at(&s->argv, a));
            strbuf_append(&out, "\n");
            rc = 0;
            break;
        case STEP_SLEEP: {
            double secs = s->argv.n > 1 ? atof(vec_at(&s->argv, 1)) : 0;
            if (secs > 2)
                secs = 2; /* a probe pod is short-lived; the lab does not wait longer */
            struct timespec sl = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
            nanosleep(&sl, NULL);
            rc = 0;
            break;
        }
        case STEP_CLUSTERS:
            if (!pr->mesh) {
                strbuf_append(&out, "curl: (7) Failed to connect to localhost port 15000 after 0 "
                                    "ms: Couldn't connect to server\n");
                rc = 7;
            } else {
                pthread_mutex_lock(&st->mu);
                ksim_probe_clusters_dump_locked(st, &out);
                pthread_mutex_unlock(&st->mu);
                rc = 0;
            }
            break;
        }
        pthread_mutex_lock(&st->mu);
        store_log(pr, out.s); /* partial output is visible while the probe runs */
        pthread_mutex_unlock(&st->mu);
    }
    pthread_mutex_lock(&st->mu);
    store_log(pr, out.s);
    set_status(pr, true, rc);
    st->n_probes--;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->mu);
    strbuf_fini(&out);
    free(dns);
    probe_free(pr);
    return NULL;
}

bool
ksim_probe_maybe_start_locked(struct ksim_store *st, const json_t *pod)
{
    struct probe *pr = xcalloc(1, sizeof *pr);
    vec_init(&pr->steps, step_free);
    if (st->stopping || !parse_pod(pod, &pr->steps, &pr->container)) {
        probe_free(pr);
        return false;
    }
    pr->st = st;
    pr->ns = xstrdup(json_string_value(ksim_path_get((json_t *)pod, "metadata.namespace")));
    pr->name = xstrdup(json_string_value(ksim_path_get((json_t *)pod, "metadata.name")));
    pr->uid = xstrdup(json_string_value(ksim_path_get((json_t *)pod, "metadata.uid")));
    size_t i;
    json_t *c;
    json_array_foreach(ksim_path_get((json_t *)pod, "spec.containers"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        pr->sidecar = pr->sidecar || (n && strcmp(n, "istio-proxy") == 0);
    }
    bool native = false;
    json_array_foreach(ksim_path_get((json_t *)pod, "spec.initContainers"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        native = native || (n && strcmp(n, "istio-proxy") == 0);
    }
    /* curl of the admin port works with either kind of sidecar; only a regular
     * container keeps the pod Running after the probe exits. */
    pr->mesh = pr->sidecar || native;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    st->n_probes++;
    struct probe *arg = pr;
    if (pthread_create(&t, &attr, probe_main, arg) != 0) {
        st->n_probes--;
        fprintf(stderr, "kubesim: cannot start a thread for probe pod %s/%s\n", pr->ns, pr->name);
        probe_free(pr);
        pthread_attr_destroy(&attr);
        return false;
    }
    pthread_attr_destroy(&attr);
    return true;
}
