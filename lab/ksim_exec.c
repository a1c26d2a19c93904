/* ksim_exec: pods/NAME/exec and pods/NAME/attach after the 101, over the channel.k8s.io
 * WebSocket protocols: each binary message starts with its channel byte, stdin 0, stdout 1,
 * stderr 2, the status channel 3 (v4 and v5: a metav1.Status JSON; NonZeroExitCode with
 * an ExitCode cause), resize 4 ({"Width":W,"Height":H}), and in v5 the close channel 255
 * whose message [255, 0] half-closes stdin. The base64 variants prefix the channel as an
 * ASCII digit and carry base64 text. Upstream: wsstream/conn.go (channels),
 * pkg/kubelet/cri/streaming/remotecommand/{websocket,httpstream,exec}.go (channel set, the
 * empty first message, the status), apiserver util/proxy/streamtranslator.go (the status as
 * an API server answers it: "command terminated with non-zero exit code: ...").
 *
 * What is real: the command runs as a real process of this machine, in a mount and UTS
 * namespace of its own where the pod's resolv.conf (the lab's per-pod file, or one naming
 * --dns) is bind-mounted over /etc/resolv.conf and the hostname is the pod's name, with a
 * PATH that holds only what the container's image would have (the mariadb client, nc,
 * nslookup, curl, a shell...), and in the pxc container MYSQL_UNIX_PORT names the pod's own
 * server. A command the image lacks fails as containerd fails it. What is simulated: the
 * istio-proxy admin port (curl localhost:15000/...), answered from what the sidecar would
 * know (ksim_probe_clusters_dump_locked), and attach, which replays a probe pod's output.
 * The network is the machine's: there is no per-pod network namespace. */
#include "ksim_stream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "base64.h"
#include "clock.h"
#include "xmalloc.h"

enum { CH_STDIN, CH_STDOUT, CH_STDERR, CH_STATUS, CH_RESIZE, CH_CLOSE = 255 };

#define OUT_CHUNK (32u << 10)
#define BACKLOG_MAX (1u << 20)

/* What each kind of container's image holds (a percona-xtradb-cluster image, an
 * istio/proxyv2 image, and a debug image such as busybox or netshoot for other pods). */
static const char *const tools_pxc[] = {
    "sh",    "bash",     "mysql", "mariadb", "mysqladmin", "mariadb-admin",
    "nc",    "nslookup", "curl",  "cat",     "ls",         "echo",
    "env",   "hostname", "sleep", "grep",    "ps",         "id",
    "date",  "head",     "tail",  "awk",     "sed",        "wc",
    "uname", "true",     "false", "printf",  "test",       "getent",
    "timeout", NULL};
static const char *const tools_proxy[] = {"sh",    "bash",     "curl",  "cat",    "ls",  "echo",
                                          "env",   "hostname", "sleep", "grep",   "ps",  "id",
                                          "date",  "head",     "tail",  "awk",    "sed", "wc",
                                          "uname", "true",     "false", "printf", NULL};
static const char *const tools_debug[] = {
    "sh",   "bash", "nslookup", "nc",       "curl",   "mysql", "mariadb", "cat",
    "ls",   "echo", "env",      "hostname", "sleep",  "grep",  "id",      "date",
    "head", "tail", "true",     "false",    "printf", "wget",  NULL};

static const struct {
    const char *dir;
    const char *const *tools;
} kinds[] = {{"pxc", tools_pxc}, {"proxy", tools_proxy}, {"debug", tools_debug}};

static const char *
kind_of(const struct ksim_stream *s)
{
    if (strcmp(s->container, "istio-proxy") == 0 || strcmp(s->container, "istio-init") == 0)
        return "proxy";
    if (strcmp(s->container, "pxc") == 0)
        return "pxc";
    return "debug";
}

static bool
host_tool(const char *name, char *out, size_t n)
{
    static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                       "/usr/bin",        "/sbin",          "/bin"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(out, n, "%s/%s", dirs[i], name);
        if (access(out, X_OK) == 0)
            return true;
    }
    return false;
}

/* The per-kind PATH directories (symlinks to this machine's tools), made once. Lock held. */
static const char *
exec_root_locked(struct ksim_server *srv)
{
    if (srv->exec_root != NULL)
        return srv->exec_root;
    const char *tmp = getenv("TMPDIR");
    char *root = xasprintf("%s/kubesim-exec-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(root) == NULL) {
        fprintf(stderr, "kubesim: exec: cannot create %s: %s\n", root, strerror(errno));
        free(root);
        return NULL;
    }
    chmod(root, 0755);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char *d = xasprintf("%s/%s", root, kinds[k].dir);
        mkdir(d, 0755);
        for (size_t i = 0; kinds[k].tools[i]; i++) {
            char real[512];
            const char *t = kinds[k].tools[i];
            if (!host_tool(t, real, sizeof real))
                continue;
            char *link = xasprintf("%s/%s", d, t);
            if (symlink(real, link) != 0)
                fprintf(stderr, "kubesim: exec: symlink %s: %s\n", link, strerror(errno));
            free(link);
        }
        free(d);
    }
    char *home = xasprintf("%s/home", root);
    mkdir(home, 0755);
    free(home);
    /* Pods the lab does not map resolve through --dns, as a pod asks its cluster DNS
     * (resolv.conf names no port: only a server on 53 can be written down). */
    const char *dns = srv->st->dns_server;
    if (dns != NULL && (strchr(dns, ':') == NULL || strcmp(strchr(dns, ':'), ":53") == 0)) {
        char *path = xasprintf("%s/resolv.conf", root);
        FILE *f = fopen(path, "w");
        if (f != NULL) {
            fprintf(f,
                    "# kubesim: a pod's resolver (--dns)\nnameserver %.*s\n"
                    "options timeout:1 attempts:2\n",
                    (int)strcspn(dns, ":"), dns);
            fclose(f);
        }
        free(path);
    }
    srv->exec_root = root;
    return root;
}

void
ksim_exec_cleanup(struct ksim_server *srv)
{
    if (srv->exec_root == NULL)
        return;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (size_t i = 0; kinds[k].tools[i]; i++) {
            char *link = xasprintf("%s/%s/%s", srv->exec_root, kinds[k].dir, kinds[k].tools[i]);
            unlink(link);
            free(link);
        }
        char *d = xasprintf("%s/%s", srv->exec_root, kinds[k].dir);
        rmdir(d);
        free(d);
    }
    char *p = xasprintf("%s/resolv.conf", srv->exec_root);
    unlink(p);
    free(p);
    DIR *d = opendir(srv->exec_root);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "cnf-", 4) != 0)
            continue;
        p = xasprintf("%s/%s", srv->exec_root, de->d_name);
        unlink(p);
        free(p);
    }
    if (d != NULL)
        closedir(d);
    /* what the sessions' tools left in HOME (files only: nothing makes directories) */
    char *home = xasprintf("%s/home", srv->exec_root);
    DIR *hd = opendir(home);
    while (hd != NULL && (de = readdir(hd)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        p = xasprintf("%s/%s", home, de->d_name);
        unlink(p);
        free(p);
    }
    if (hd != NULL)
        closedir(hd);
    rmdir(home);
    free(home);
    rmdir(srv->exec_root);
    free(srv->exec_root);
    srv->exec_root = NULL;
}

/* ---- one session ---- */

struct exec {
    struct ksim_stream *s;
    struct ksim_ws *ws;
    pid_t pid;
    int in_fd, out_fd, err_fd; /* our ends; -1 when closed. With a tty: in_fd == out_fd */
    bool tty;
    struct strbuf inbuf; /* stdin not yet written */
    bool close_stdin;    /* v5 close message seen, or the client went away */
    bool client_gone;
};

static void
chan_send(struct exec *x, int chan, const void *data, size_t len)
{
    if (x->s->base64) {
        char c = (char)('0' + chan);
        char *b = base64_encode(data, len, 0);
        ksim_ws_send(x->ws, WSLAY_TEXT_FRAME, &c, 1, b, strlen(b));
        free(b);
    } else {
        uint8_t c = (uint8_t)chan;
        ksim_ws_send(x->ws, WSLAY_BINARY_FRAME, &c, 1, data, len);
    }
}

/* The status channel as the API server writes it: v4/v5 a metav1.Status JSON, the older
 * protocols the error text alone and nothing on success. exit_code -1: internal_msg is
 * an error that kept the command from running. */
static void
send_status(struct exec *x, int exit_code, const char *internal_msg)
{
    json_t *st;
    if (exit_code == 0) {
        st = json_pack("{s:{}, s:s}", "metadata", "status", "Success");
    } else if (exit_code > 0) {
        char code[16], msg[128];
        snprintf(code, sizeof code, "%d", exit_code);
        snprintf(msg, sizeof msg,
                 "command terminated with non-zero exit code: command terminated with exit code "
                 "%d",
                 exit_code);
        st = json_pack("{s:{}, s:s, s:s, s:s, s:{s:[{s:s, s:s}]}}", "metadata", "status", "Failure",
                       "message", msg, "reason", "NonZeroExitCode", "details", "causes", "reason",
                       "ExitCode", "message", code);
    } else {
        /* an InternalError from the kubelet, wrapped once more by the API server's
         * stream translator */
        char *inner = xasprintf("Internal error occurred: %s", internal_msg);
        char *outer = xasprintf("Internal error occurred: %s", inner);
        st = json_pack("{s:{}, s:s, s:s, s:s, s:{s:[{s:s}]}, s:i}", "metadata", "status", "Failure",
                       "message", outer, "reason", "InternalError", "details", "causes", "message",
                       inner, "code", 500);
        free(inner);
        free(outer);
    }
    if (x->s->proto_version >= 4) {
        char *j = json_dumps(st, JSON_COMPACT);
        chan_send(x, CH_STATUS, j, strlen(j));
        free(j);
    } else if (exit_code != 0) {
        const char *m = json_string_value(json_object_get(st, "message"));
        chan_send(x, CH_STATUS, m, strlen(m));
    }
    json_decref(st);
}

static void
set_winsize(struct exec *x, const uint8_t *data, size_t len)
{
    if (!x->tty || x->in_fd < 0)
        return;
    json_t *j = json_loadb((const char *)data, len, 0, NULL);
    json_int_t w = json_integer_value(json_object_get(j, "Width"));
    json_int_t h = json_integer_value(json_object_get(j, "Height"));
    json_decref(j);
    if (w <= 0 || h <= 0 || w > 10000 || h > 10000)
        return;
    struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
    (void)ioctl(x->in_fd, TIOCSWINSZ, &ws); /* the child may be gone: nothing to resize */
}

static void
on_client_msg(struct ksim_ws *ws, int opcode, const uint8_t *msg, size_t len, void *arg)
{
    (void)ws;
    struct exec *x = arg;
    if (len == 0)
        return;
    int chan;
    char *decoded = NULL;
    size_t dlen = 0;
    const uint8_t *data;
    if (x->s->base64) {
        if (opcode != WSLAY_TEXT_FRAME)
            return;
        chan = msg[0] - '0';
        if (base64_decode((const char *)msg + 1, len - 1, 0, &decoded, &dlen) != 0)
            return; /* the Go server drops an undecodable frame too */
        data = (const uint8_t *)decoded;
    } else {
        chan = msg[0];
        data = msg + 1;
        dlen = len - 1;
    }
    if (chan == CH_STDIN && x->s->in && !x->close_stdin)
        strbuf_appendn(&x->inbuf, (const char *)data, dlen);
    else if (chan == CH_RESIZE)
        set_winsize(x, data, dlen);
    else if (chan == CH_CLOSE && x->s->proto_version >= 5 && dlen >= 1 && data[0] == CH_STDIN)
        x->close_stdin = true;
    free(decoded);
}

/* ---- the simulated sidecar admin port ---- */

static const char *
admin_path(const struct ksim_stream *s, bool *silent)
{
    if (s->argv.n == 0)
        return NULL;
    const char *a0 = vec_at(&s->argv, 0);
    const char *b = strrchr(a0, '/');
    if (strcmp(b ? b + 1 : a0, "curl") != 0)
        return NULL;
    const char *path = NULL;
    *silent = false;
    for (size_t i = 1; i < s->argv.n; i++) {
        const char *a = vec_at(&s->argv, i);
        if (a[0] == '-' && a[1] != '-' && strchr(a, 's'))
            *silent = true;
        if (strcmp(a, "--silent") == 0)
            *silent = true;
        const char *p = strstr(a, "localhost:15000");
        if (p == NULL)
            p = strstr(a, "127.0.0.1:15000");
        if (p != NULL)
            path = strchr(p, '/') ? strchr(p, '/') : "/";
    }
    return path;
}

static int
envoy_admin(struct exec *x, const char *path, bool silent, struct strbuf *out, struct strbuf *err)
{
    struct ksim_store *st = x->s->srv->st;
    if (strncmp(path, "/clusters", 9) == 0) {
        pthread_mutex_lock(&st->mu);
        ksim_probe_clusters_dump_locked(st, out);
        pthread_mutex_unlock(&st->mu);
    } else if (strcmp(path, "/ready") == 0) {
        strbuf_append(out, "LIVE\n");
    } else {
        strbuf_append(out, "invalid path. admin commands are:\n"
                           "  /: Admin home page\n"
                           "  /clusters: upstream cluster status\n"
                           "  /config_dump: dump current Envoy configs (experimental)\n"
                           "  /ready: print server state, return 200 if LIVE, otherwise return "
                           "503\n"
                           "  /server_info: print server version/status information\n"
                           "  /stats: print server stats\n");
    }
    if (!silent) {
        /* curl's progress meter goes to stderr when its output is not a terminal */
        strbuf_appendf(err,
                       "  %% Total    %% Received %% Xferd  Average Speed   Time    Time     "
                       "Time  Current\n"
                       "                                 Dload  Upload   Total   Spent    Left  "
                       "Speed\n"
                       "\r100 %5zu  100 %5zu    0     0  %5zuk      0 --:--:-- --:--:-- "
                       "--:--:-- %5zuk\n",
                       out->len, out->len, out->len / 1024 + 1, out->len / 1024 + 1);
    }
    return 0;
}

static bool
pod_has_sidecar(const struct ksim_stream *s)
{
    return ksim_sim_pod_has_sidecar(s->pod_obj);
}

/* ---- the process ---- */

/* containerd's words when the runtime cannot start the process (a CRI exec start
 * failure, reported by the kubelet as an error rather than an exit code). */
static void
runtime_error(struct exec *x, const char *detail)
{
    char id[65], msg[1200];
    for (int i = 0; i < 64; i++)
        id[i] = "0123456789abcdef"[(clock_mono_ms() * 31 + (uint64_t)i * 7919) % 16];
    id[64] = '\0';
    snprintf(msg, sizeof msg,
             "error executing command in container: failed to exec in container: failed to "
             "start exec \"%s\": OCI runtime exec failed: exec failed: unable to start "
             "container process: %s: unknown",
             id, detail);
    send_status(x, -1, msg);
}

static int
open_null(int flags)
{
    int fd = open("/dev/null", flags | O_CLOEXEC);
    return fd;
}

/* The pxc container's client option file: its socket, as a PXC image's /etc/my.cnf has
 * it. Debian's own /etc/mysql/my.cnf would otherwise send the client to /run/mysqld. */
static char *
write_mycnf(const struct ksim_stream *s, const char *root)
{
    char *path = xasprintf("%s/cnf-%.16s.cnf", root, s->net.sandbox);
    char *tmp = xasprintf("%s.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        free(tmp);
        free(path);
        return NULL;
    }
    fprintf(f, "# kubesim: the client options of pod %s/%s's pxc container\n[client]\nsocket=%s\n",
            s->ns, s->pod, s->net.socket);
    fclose(f);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        free(tmp);
        free(path);
        return NULL;
    }
    free(tmp);
    return path;
}

static pid_t
spawn(struct exec *x, const char *path, const char *root, const char *resolv)
{
    struct ksim_stream *s = x->s;
    /* Everything the child needs is made before fork: kubesim has threads. */
    char **argv = xcalloc(s->argv.n + 1, sizeof *argv);
    for (size_t i = 0; i < s->argv.n; i++)
        argv[i] = vec_at(&s->argv, i);
    char *env[10];
    int ne = 0;
    env[ne++] = xasprintf("PATH=%s/%s", root, kind_of(s));
    env[ne++] = xasprintf("HOSTNAME=%s", s->pod);
    env[ne++] = xasprintf("HOME=%s/home", root);
    /* what is typed in a session (passwords too) stays in no history file */
    env[ne++] = xstrdup("MYSQL_HISTFILE=/dev/null");
    env[ne++] = xstrdup("HISTFILE=/dev/null");
    if (x->tty)
        env[ne++] = xstrdup("TERM=xterm");
    if (strcmp(kind_of(s), "pxc") == 0 && s->net.socket[0])
        env[ne++] = xasprintf("MYSQL_UNIX_PORT=%s", s->net.socket);
    env[ne] = NULL;

    char *mycnf = strcmp(kind_of(s), "pxc") == 0 && s->net.socket[0] ? write_mycnf(s, root) : NULL;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    int master = -1, slave = -1;
    bool ok = true;
    if (x->tty) {
        ok = openpty(&master, &slave, NULL, NULL, NULL) == 0;
    } else {
        if (s->in)
            ok = ok && pipe2(in, O_CLOEXEC) == 0;
        else
            in[0] = open_null(O_RDONLY);
        if (s->out)
            ok = ok && pipe2(out, O_CLOEXEC) == 0;
        else
            out[1] = open_null(O_WRONLY);
        if (s->err)
            ok = ok && pipe2(err, O_CLOEXEC) == 0;
        else
            err[1] = open_null(O_WRONLY);
    }
    pid_t pid = ok ? fork() : -1;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (x->tty) {
            setsid();
            ioctl(slave, TIOCSCTTY, 0);
            dup2(slave, 0);
            dup2(slave, 1);
            dup2(slave, 2);
        } else {
            setpgid(0, 0);
            dup2(in[0], 0);
            dup2(out[1], 1);
            dup2(err[1], 2);
        }
        /* the pod's own view: its resolv.conf and its hostname (root only; without root
         * the machine's own, which the docs say) */
        if (unshare(CLONE_NEWNS | CLONE_NEWUTS) == 0) {
            (void)mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
            if (resolv != NULL)
                (void)mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL);
            if (mycnf != NULL)
                (void)mount(mycnf, "/etc/mysql/my.cnf", NULL, MS_BIND, NULL);
            (void)sethostname(s->pod, strlen(s->pod));
        }
        if (chdir("/") != 0)
            _exit(126);
        execve(path, argv, env);
        dprintf(2, "exec %s: %s\n", path, strerror(errno));
        _exit(126);
    }
    for (int i = 0; i < ne; i++)
        free(env[i]);
    free(argv);
    free(mycnf);
    if (x->tty) {
        if (slave >= 0)
            close(slave);
        x->in_fd = x->out_fd = master;
        x->err_fd = -1;
    } else {
        if (in[0] >= 0)
            close(in[0]);
        if (out[1] >= 0)
            close(out[1]);
        if (err[1] >= 0)
            close(err[1]);
        x->in_fd = in[1];
        x->out_fd = out[0];
        x->err_fd = err[0];
    }
    if (pid < 0) {
        fprintf(stderr, "kubesim: exec in %s/%s: cannot start a process: %s\n", s->ns, s->pod,
                strerror(errno));
        return -1;
    }
    int fds[] = {x->in_fd, x->out_fd, x->err_fd};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            (void)fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    return pid;
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Read what fd has and send it on chan; false at EOF or error. */
static bool
pump_out(struct exec *x, int fd, int chan)
{
    char buf[OUT_CHUNK];
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
        chan_send(x, chan, buf, (size_t)r);
        return true;
    }
    return r < 0 && (errno == EAGAIN || errno == EINTR);
}

static void
pump_in(struct exec *x)
{
    while (x->inbuf.len > 0 && x->in_fd >= 0) {
        ssize_t w = write(x->in_fd, x->inbuf.s, x->inbuf.len);
        if (w > 0) {
            strbuf_consume(&x->inbuf, (size_t)w);
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        strbuf_reset(&x->inbuf); /* the process closed its stdin: what it did not read goes */
        if (!x->tty)
            close_fd(&x->in_fd);
        return;
    }
    if (x->close_stdin && x->inbuf.len == 0 && !x->tty)
        close_fd(&x->in_fd);
}

static int
exit_code_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status); /* what containerd reports for a killed process */
    return 1;
}

static void
run_process(struct exec *x, const char *path, const char *root, const char *resolv)
{
    x->pid = spawn(x, path, root, resolv);
    if (x->pid < 0) {
        send_status(x, -1, "error executing command in container: cannot start the process");
        return;
    }
    bool exited = false;
    int status = 0;
    uint64_t drain_until = 0;
    for (;;) {
        struct pollfd p[4];
        int n = 0;
        ksim_ws_pollfd(x->ws, &p[n++]);
        int out_at = -1, err_at = -1, in_at = -1;
        bool room = ksim_ws_backlog(x->ws) < BACKLOG_MAX;
        if (x->out_fd >= 0 && room) {
            out_at = n;
            p[n++] = (struct pollfd){.fd = x->out_fd, .events = POLLIN};
        }
        if (x->err_fd >= 0 && room) {
            err_at = n;
            p[n++] = (struct pollfd){.fd = x->err_fd, .events = POLLIN};
        }
        if (x->in_fd >= 0 && x->inbuf.len > 0 && !x->tty) {
            in_at = n;
            p[n++] = (struct pollfd){.fd = x->in_fd, .events = POLLOUT};
        }
        int rc = poll(p, (nfds_t)n, 100);
        if (rc < 0 && errno != EINTR)
            break;
        if (ksim_ws_io(x->ws, p[0].revents) != 0) {
            x->client_gone = true;
            break;
        }
        if (out_at >= 0 && p[out_at].revents && !pump_out(x, x->out_fd, CH_STDOUT)) {
            if (x->tty)
                x->in_fd = -1; /* the same descriptor */
            close_fd(&x->out_fd);
        }
        if (err_at >= 0 && p[err_at].revents && !pump_out(x, x->err_fd, CH_STDERR))
            close_fd(&x->err_fd);
        if (in_at >= 0 || x->inbuf.len > 0 || x->close_stdin)
            pump_in(x);
        if (!exited && waitpid(x->pid, &status, WNOHANG) == x->pid) {
            exited = true;
            /* what the process wrote before it exited still arrives; a child it left
             * holding the pipes does not keep the session open */
            drain_until = clock_mono_ms() + 200;
        }
        if (exited && ((x->out_fd < 0 && x->err_fd < 0) || clock_mono_ms() >= drain_until))
            break;
        if (ksim_stream_stopping(x->s)) {
            ksim_ws_close(x->ws, 1001, "server shutting down");
            x->client_gone = true; /* no status: the command did not finish */
            break;
        }
    }
    if (!exited) {
        kill(-x->pid, SIGKILL);
        kill(x->pid, SIGKILL);
        while (waitpid(x->pid, &status, 0) < 0 && errno == EINTR)
            ;
    } else {
        kill(-x->pid, SIGKILL); /* what it left behind in its process group */
    }
    if (!x->client_gone)
        send_status(x, exit_code_of(status), NULL);
}

/* attach: a probe pod's container output once it terminated, and its exit code. */
static void
run_attach(struct exec *x)
{
    struct ksim_store *st = x->s->srv->st;
    char *key = xasprintf("%s/%s/%s", x->s->ns, x->s->pod, x->s->container);
    int code = -1;
    char *text = NULL;
    while (code < 0) {
        pthread_mutex_lock(&st->mu);
        struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
        struct ksim_obj *o = ksim_obj_get_locked(pods, x->s->ns, x->s->pod);
        json_t *pod = o ? ksim_blob_parse(o->blob) : NULL;
        size_t i;
        json_t *cs;
        json_array_foreach(ksim_path_get(pod, "status.containerStatuses"), i, cs)
        {
            const char *n = json_string_value(json_object_get(cs, "name"));
            json_t *term = ksim_path_get(cs, "state.terminated");
            if (n && strcmp(n, x->s->container) == 0 && term != NULL)
                code = (int)json_integer_value(json_object_get(term, "exitCode"));
        }
        const char *log = hmap_get(&st->logs, key);
        if (code >= 0 && log != NULL)
            text = xstrdup(log);
        bool gone = pod == NULL || st->stopping;
        pthread_mutex_unlock(&st->mu);
        json_decref(pod);
        if (gone)
            break;
        if (code >= 0)
            break;
        struct pollfd p;
        ksim_ws_pollfd(x->ws, &p);
        (void)poll(&p, 1, 100);
        if (ksim_ws_io(x->ws, p.revents) != 0) {
            x->client_gone = true;
            break;
        }
    }
    free(key);
    if (x->client_gone || code < 0) {
        free(text);
        return;
    }
    if (text != NULL && x->s->out)
        chan_send(x, CH_STDOUT, text, strlen(text));
    free(text);
    send_status(x, code, NULL);
}

void
ksim_exec_run(struct ksim_stream *s, struct ksim_ws *ws)
{
    struct exec x = {
        .s = s, .ws = ws, .pid = -1, .in_fd = -1, .out_fd = -1, .err_fd = -1, .tty = s->tty};
    strbuf_init(&x.inbuf);
    ksim_ws_set_handler(ws, on_client_msg, &x);
    /* the kubelet's "connection established" signal: an empty message on the lowest
     * writable channel */
    chan_send(&x, s->out ? CH_STDOUT : s->err ? CH_STDERR : CH_STATUS, "", 0);

    if (s->kind == KSIM_STREAM_ATTACH) {
        run_attach(&x);
        goto out;
    }
    bool silent = false;
    const char *apath = admin_path(s, &silent);
    if (apath != NULL && pod_has_sidecar(s)) {
        struct strbuf o, e;
        strbuf_init(&o);
        strbuf_init(&e);
        int rc = envoy_admin(&x, apath, silent, &o, &e);
        if (s->err && e.len)
            chan_send(&x, CH_STDERR, e.s, e.len);
        if (s->out && o.len)
            chan_send(&x, CH_STDOUT, o.s, o.len);
        strbuf_fini(&o);
        strbuf_fini(&e);
        send_status(&x, rc, NULL);
        goto out;
    }
    struct ksim_store *st = s->srv->st;
    pthread_mutex_lock(&st->mu);
    const char *r = exec_root_locked(s->srv);
    char *root = r ? xstrdup(r) : NULL;
    pthread_mutex_unlock(&st->mu);
    if (root == NULL) {
        send_status(&x, -1,
                    "error executing command in container: kubesim has no exec "
                    "directory (see its log)");
        goto out;
    }
    const char *cmd = vec_at(&s->argv, 0);
    char path[1024];
    struct stat sb;
    if (strchr(cmd, '/') != NULL) {
        snprintf(path, sizeof path, "%s", cmd);
        if (stat(path, &sb) != 0) {
            char d[600];
            snprintf(d, sizeof d, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd);
            runtime_error(&x, d);
            free(root);
            goto out;
        }
        if (!S_ISREG(sb.st_mode) || access(path, X_OK) != 0) {
            char d[600];
            snprintf(d, sizeof d, "exec: \"%s\": permission denied", cmd);
            runtime_error(&x, d);
            free(root);
            goto out;
        }
    } else {
        snprintf(path, sizeof path, "%s/%s/%s", root, kind_of(s), cmd);
        if (stat(path, &sb) != 0) {
            char d[600];
            snprintf(d, sizeof d, "exec: \"%s\": executable file not found in $PATH", cmd);
            runtime_error(&x, d);
            free(root);
            goto out;
        }
    }
    const char *resolv = s->net.resolv[0] ? s->net.resolv : NULL;
    char dflt[1024];
    if (resolv == NULL) {
        snprintf(dflt, sizeof dflt, "%s/resolv.conf", root);
        if (access(dflt, R_OK) == 0)
            resolv = dflt;
    }
    run_process(&x, path, root, resolv);
    free(root);
out:
    close_fd(&x.out_fd);
    if (x.in_fd >= 0 && !x.tty)
        close_fd(&x.in_fd);
    close_fd(&x.err_fd);
    strbuf_fini(&x.inbuf);
    if (!x.client_gone)
        ksim_ws_close(ws, 1000, "");
    ksim_ws_set_handler(ws, NULL, NULL);
}
