/* cmd_logs: `pxcmesh logs POD [-n NS] [-c CONTAINER] [-f] [--since 10m] [--tail N]
 * [--timestamps] [--cluster C]`, a container's log through the API server (kube_logs.h), as
 * kubectl logs prints it: line by line, following with -f until interrupted (SIGINT/SIGTERM
 * end it cleanly) or the pod goes away. Exit 0 when the log ended normally, 1 when it could
 * not be read or the stream broke (the reason is printed), 2 usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cmd.h"
#include "kube1.h"
#include "kube/kube_logs.h"

static int cmd_logs_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag logs_flags[] = {
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL, "the pod's namespace (default: the context's)"},
    {"--container", "-c", CV_WORD, "CONTAINER", NULL, "the container (default: the pod's first)"},
    {"--follow", "-f", CV_NONE, NULL, NULL, "follow the log until interrupted"},
    {"--since", NULL, CV_WORD, "DURATION", NULL, "only lines newer than 30s, 10m, 2h, 1h30m"},
    {"--tail", NULL, CV_NUMBER, "N", NULL, "the last N lines only"},
    {"--timestamps", NULL, CV_NONE, NULL, NULL, "each line with the runtime's timestamp"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_logs_entry = {
    .name = "logs",
    .usage = "logs POD [-n NS] [-c CONTAINER] [-f] [--since 10m] [--tail N] [--cluster C]",
    .summary = "print (and follow) a container's log through the API server",
    .exec = cmd_logs_exec,
    .opts = logs_flags,
};

static const char logs_usage[] =
    "usage: pxcmesh logs POD [-n NAMESPACE] [-c CONTAINER] [-f] [--since DURATION] [--tail N]\n"
    "                        [--timestamps] [--cluster NAME]\n"
    "-f follows the log until interrupted; --since takes 30s, 10m, 2h or 1h30m; --tail N\n"
    "prints the last N lines only. Exit 0 ok, 1 the log could not be read, 2 usage.\n";

struct logs_run {
    struct kube_logs *l;
    bool done;
    int exit_code;
    uv_signal_t sigint, sigterm;
};

static void
on_line(struct kube_logs *l, const char *line, size_t len, bool cut, void *arg)
{
    (void)l;
    (void)arg;
    fwrite(line, 1, len, stdout);
    if (!cut)
        fputc('\n', stdout);
    fflush(stdout);
}

static void
on_end(struct kube_logs *l, int status, const struct pxerr *err, void *arg)
{
    struct logs_run *r = arg;
    (void)l;
    r->l = NULL;
    r->done = true;
    if (status != 0) {
        fprintf(stderr, "pxcmesh logs: %s\n", err->msg);
        r->exit_code = 1;
    }
}

static void
on_signal(uv_signal_t *s, int signum)
{
    struct logs_run *r = s->data;
    (void)signum;
    kube_logs_cancel(r->l);
    r->l = NULL;
    r->done = true;
}

/* "90", "30s", "10m", "2h", "1h30m" into seconds; -1 when malformed. */
static long
parse_duration(const char *s)
{
    long total = 0;
    if (*s == '\0')
        return -1;
    while (*s) {
        char *e;
        long v = strtol(s, &e, 10);
        if (e == s || v < 0 || v > 10000000)
            return -1;
        long mult = 1;
        if (*e == 's')
            e++;
        else if (*e == 'm')
            mult = 60, e++;
        else if (*e == 'h')
            mult = 3600, e++;
        else if (*e != '\0')
            return -1;
        total += v * mult;
        s = e;
    }
    return total;
}

static int
cmd_logs_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    const char *ns = NULL, *container = NULL, *cluster = NULL, *pod = NULL;
    bool follow = false, timestamps = false;
    long since = 0, tail = -1;
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'},
        {"container", required_argument, NULL, 'c'},
        {"follow", no_argument, NULL, 'f'},
        {"since", required_argument, NULL, 's'},
        {"tail", required_argument, NULL, 'T'},
        {"timestamps", no_argument, NULL, 'S'},
        {"cluster", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    while (optind < argc) {
        int ch = getopt_long(argc, argv, "+n:c:fh", lo, NULL);
        if (ch == -1) {
            if (pod != NULL)
                return cmd_usage_error("logs", "unexpected argument '%s'", argv[optind]);
            pod = argv[optind++];
            continue;
        }
        switch (ch) {
        case 'n':
            ns = optarg;
            break;
        case 'c':
            container = optarg;
            break;
        case 'f':
            follow = true;
            break;
        case 's':
            since = parse_duration(optarg);
            if (since <= 0)
                return cmd_usage_error("logs",
                                       "--since takes a duration such as 30s, 10m or "
                                       "1h30m, not '%s'",
                                       optarg);
            break;
        case 'T': {
            char *e;
            tail = strtol(optarg, &e, 10);
            if (*e != '\0' || tail < 0 || tail > 10000000)
                return cmd_usage_error("logs", "--tail takes a number of lines, not '%s'", optarg);
            break;
        }
        case 'S':
            timestamps = true;
            break;
        case 'C':
            cluster = optarg;
            break;
        case 'h':
            fputs(logs_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("logs", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (pod == NULL)
        return cmd_usage_error("logs", "which pod? e.g. pxcmesh logs pxc-cluster-pxc-0 -c "
                                       "istio-proxy");
    struct pxerr err = {0};
    struct kube1 k;
    int rc = kube1_open(&k, opts, cluster, ns, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh logs: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    struct logs_run r = {0};
    struct kube_logs_opts o = {
        .ns = k.ns,
        .pod = pod,
        .container = container,
        .follow = follow,
        .timestamps = timestamps,
        .since_s = (int)since,
        .tail_lines = (int)tail,
        .on_line = on_line,
        .on_end = on_end,
        .arg = &r,
    };
    uv_signal_init(&k.loop, &r.sigint);
    uv_signal_init(&k.loop, &r.sigterm);
    r.sigint.data = r.sigterm.data = &r;
    uv_signal_start(&r.sigint, on_signal, SIGINT);
    uv_signal_start(&r.sigterm, on_signal, SIGTERM);
    if (kube_logs_start(k.kc, &o, &r.l, &err) < 0) {
        fprintf(stderr, "pxcmesh logs: %s\n", err.msg);
        r.exit_code = 1;
        r.done = true;
    }
    cmd_run_until_flag(&k.loop, &r.done);
    uv_close((uv_handle_t *)&r.sigint, NULL);
    uv_close((uv_handle_t *)&r.sigterm, NULL);
    fflush(stdout);
    kube1_close(&k);
    return r.exit_code;
}
