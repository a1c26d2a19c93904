/* cmd_inject: `pxcmesh inject enable|disable NAMESPACE`, the command-line twin of the
 * console's label key: label a namespace istio-injection=enabled, or remove that label.
 * The change is previewed (the label before and after), asked for (--yes skips it; without
 * a terminal it is refused) and made through the fix runner, as the console and `doctor
 * --fix` make it. Pods keep or lack their sidecar until restarted (`pxcmesh restart`). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "runfix.h"
#include "doctor/fixmake.h"
#include "kube/kube.h"

static int cmd_inject_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const inject_subs[] = {"enable", "disable", NULL};

static const struct cmd_flag inject_flags[] = {
    {"--dry-run", NULL, CV_NONE, NULL, NULL, "show the change, make none"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "do not ask"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait for the cluster (default 30)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_inject_entry = {
    .name = "inject",
    .usage = "inject enable|disable NAMESPACE [--dry-run] [--yes]",
    .summary = "label a namespace for Istio sidecar injection, or remove the label",
    .exec = cmd_inject_exec,
    .subs = inject_subs,
    .opts = inject_flags,
};

static const char inject_usage[] =
    "usage: pxcmesh inject enable|disable NAMESPACE [--dry-run] [--yes] [--timeout S]\n"
    "                      [--config FILE] [--context C] [--cluster NAME]\n"
    "enable labels the namespace istio-injection=enabled, disable removes that label (a\n"
    "merge patch of metadata.labels). Pods created afterwards get, or no longer get, the\n"
    "Istio sidecar; running pods change only when restarted (pxcmesh restart sts/NAME).\n"
    "The change is shown first and asked for on the terminal; --yes does not ask.\n";

struct inject_args {
    bool enable;
    const char *ns;
};

static int
inject_build(struct model *m, struct m_cluster *c, struct m_fix *fix, void *arg)
{
    struct inject_args *a = arg;
    (void)m;
    fixmake_label_ns(fix, c->name, a->ns, a->enable);
    return 0;
}

static int
cmd_inject_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"dry-run", no_argument, NULL, 'd'}, {"yes", no_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runfix_req rq = {.verb = "inject", .timeout_s = 30, .collect_flags = COLLECT_NO_MYSQL,
                            .build = inject_build};
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "yh", lo, NULL)) != -1) {
        switch (ch) {
        case 'd':
            rq.dry = true;
            break;
        case 'y':
            rq.yes = true;
            break;
        case 't':
            rq.timeout_s = atoi(optarg);
            if (rq.timeout_s <= 0 || rq.timeout_s > 3600)
                return cmd_usage_error("inject", "--timeout needs seconds (1-3600), got '%s'",
                                       optarg);
            break;
        case 'h':
            fputs(inject_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("inject", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cmd_usage_error("inject", "want enable or disable, and the NAMESPACE");
    struct inject_args a = {.ns = argv[optind + 1]};
    if (strcmp(argv[optind], "enable") == 0)
        a.enable = true;
    else if (strcmp(argv[optind], "disable") != 0)
        return cmd_usage_error("inject", "unknown inject command '%s' (enable or disable)",
                               argv[optind]);
    struct pxerr err = {0};
    if (kube_name_check_ns(a.ns, &err) != 0)
        return cmd_usage_error("inject", "%s", err.msg);
    if (rq.dry && rq.yes)
        return cmd_usage_error("inject", "give --dry-run or --yes, not both");
    rq.arg = &a;
    return runfix_verb(opts, &rq);
}
