/* cmd_exec: `pxcmesh exec POD [-n NS] [-c CONTAINER] [-i] [--timeout S] -- CMD [ARG...]`, a
 * command run in a pod's container through the API server (kube_exec.h), without a
 * terminal: kubectl exec's twin for scripts. The remote stdout and stderr go to ours as they
 * arrive; the exit code is the remote command's (0-255). 1: the command could not be run
 * (refused, the pod gone, the container not running, the executable missing: the reason is
 * printed), 2: usage. With -i our stdin is read to its end first and sent, then closed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "kube1.h"
#include "kube/kube_exec.h"

#define STDIN_MAX (64u << 20)

static int cmd_exec_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag exec_flags[] = {
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL, "the pod's namespace (default: the context's)"},
    {"--container", "-c", CV_WORD, "CONTAINER", NULL, "the container (default: the pod's first)"},
    {"--stdin", "-i", CV_NONE, NULL, NULL, "send this process's stdin (read to its end first)"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "give up after S seconds"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_exec_entry = {
    .name = "exec",
    .usage = "exec POD [-n NS] [-c CONTAINER] [-i] [--timeout S] [--cluster C] -- CMD [ARG...]",
    .summary = "run a command in a pod's container through the API server (exit code: the "
               "command's)",
    .exec = cmd_exec_exec,
    .opts = exec_flags,
};

static const char exec_usage[] =
    "usage: pxcmesh exec POD [-n NAMESPACE] [-c CONTAINER] [-i] [--timeout SECONDS]\n"
    "                    [--cluster NAME] -- CMD [ARG...]\n"
    "Runs CMD in the pod's container over the API server's exec stream (no terminal).\n"
    "-i sends this process's stdin (read to its end first). The exit code is CMD's;\n"
    "1 when it could not be run (the reason is printed), 2 on usage errors.\n";

struct exec_run {
    bool done;
    int exit_code;
};

static void
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return; /* our own stdout went away: nothing better to do */
        p += w;
        n -= (size_t)w;
    }
}

static void
on_out(struct kube_exec *ex, const char *data, size_t len, void *arg)
{
    (void)ex;
    (void)arg;
    write_all(1, data, len);
}

static void
on_err(struct kube_exec *ex, const char *data, size_t len, void *arg)
{
    (void)ex;
    (void)arg;
    write_all(2, data, len);
}

static void
on_exit_cb(struct kube_exec *ex, int status, int code, const struct pxerr *err, void *arg)
{
    struct exec_run *r = arg;
    (void)ex;
    r->done = true;
    if (status != 0) {
        fprintf(stderr, "pxcmesh exec: %s\n", err->msg);
        r->exit_code = 1;
    } else {
        r->exit_code = code;
    }
}

static int
read_stdin(struct strbuf *sb)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0)
            return -1;
        if (sb->len + (size_t)n > STDIN_MAX)
            return -2;
        strbuf_appendn(sb, buf, (size_t)n);
    }
}

static int
cmd_exec_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    const char *ns = NULL, *container = NULL, *cluster = NULL;
    bool with_stdin = false;
    int timeout_s = 0;
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'},
        {"container", required_argument, NULL, 'c'},
        {"stdin", no_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'},
        {"cluster", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* POD may come before or after the options; CMD follows "--". */
    int dd = -1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            dd = i;
            break;
        }
    int nopt = dd < 0 ? argc : dd;
    const char *pod = NULL;
    optind = 1;
    opterr = 0;
    while (optind < nopt) {
        int ch = getopt_long(nopt, argv, "+n:c:it:h", lo, NULL);
        if (ch == -1) {
            if (pod != NULL)
                return cmd_usage_error("exec",
                                       "unexpected argument '%s' (the command goes after "
                                       "--)",
                                       argv[optind]);
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
        case 'C':
            cluster = optarg;
            break;
        case 'i':
            with_stdin = true;
            break;
        case 't': {
            char *e;
            long v = strtol(optarg, &e, 10);
            if (*e != '\0' || v < 1 || v > 86400)
                return cmd_usage_error("exec", "--timeout takes seconds (1-86400), not '%s'",
                                       optarg);
            timeout_s = (int)v;
            break;
        }
        case 'h':
            fputs(exec_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("exec", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (pod == NULL)
        return cmd_usage_error("exec", "which pod? e.g. pxcmesh exec pxc-cluster-pxc-0 -c pxc "
                                       "-- mysql -e 'select 1'");
    if (dd < 0 || dd + 1 >= argc)
        return cmd_usage_error("exec", "no command: give it after --");

    struct strbuf in;
    strbuf_init(&in);
    if (with_stdin) {
        int rc = read_stdin(&in);
        if (rc < 0) {
            fprintf(stderr, "pxcmesh exec: %s\n",
                    rc == -2 ? "stdin is over 64 MiB" : "cannot read stdin");
            strbuf_fini(&in);
            return 1;
        }
    }
    struct pxerr err = {0};
    struct kube1 k;
    int rc = kube1_open(&k, opts, cluster, ns, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh exec: %s\n", err.msg);
        strbuf_fini(&in);
        return rc == PXE_USAGE ? 2 : 1;
    }
    struct exec_run r = {0};
    struct kube_exec_opts eo = {
        .ns = k.ns,
        .pod = pod,
        .container = container,
        .argv = (const char *const *)argv + dd + 1,
        .stdin_data = with_stdin ? (in.s ? in.s : "") : NULL,
        .stdin_len = in.len,
        .timeout_ms = timeout_s > 0 ? timeout_s * 1000 : 0,
        .on_stdout = on_out,
        .on_stderr = on_err,
        .on_exit = on_exit_cb,
        .arg = &r,
    };
    if (kube_exec_start(k.kc, &eo, NULL, &err) < 0) {
        fprintf(stderr, "pxcmesh exec: %s\n", err.msg);
        r.exit_code = 1;
        r.done = true;
    }
    cmd_run_until_flag(&k.loop, &r.done);
    strbuf_fini(&in);
    kube1_close(&k);
    return r.exit_code;
}
