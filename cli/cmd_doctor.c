/* cmd_doctor: `pxcmesh doctor [--json] [--timeout S]`: one complete look at every cluster
 * (collect), every check of the doctor, the findings printed root cause first.
 * Exit 0 no error finding, 1 errors found, 2 the doctor itself could not run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "cmd.h"
#include "collect.h"
#include "doctor/doctor.h"
#include "model/snap.h"

static int cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_doctor_entry = {
    .name = "doctor",
    .usage = "doctor [--json] [--timeout S]",
    .summary = "run every check and print the findings, root cause first, with the fix",
    .flags = CMD_REPLAY,
    .exec = cmd_doctor_exec,
};

static const char doctor_usage[] =
    "usage: pxcmesh doctor [--json] [--timeout SECONDS]\n"
    "                      [--config FILE | --kubeconfig FILE --context C [--context C ...]\n"
    "                       | --replay SNAPSHOT]\n"
    "Runs every check over what the clusters and servers report and prints the findings,\n"
    "each with a stable code and the fix, root cause first.\n"
    "Exit: 0 no error found, 1 errors found, 2 the doctor could not run.\n";

static int
cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int timeout_s = 30, ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+jt:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = true;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v <= 0 || v > 3600)
                return cmd_usage_error("doctor", "--timeout needs seconds (1-3600), got '%s'",
                                       optarg);
            timeout_s = (int)v;
            break;
        }
        case 'h':
            fputs(doctor_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("doctor", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
    struct pxerr err = {0};
    struct collect_result res = {0};
    if (opts->replay != NULL) {
        /* A saved snapshot: the on-call engineer's colleague can run the same checks. */
        res.model = model_new();
        if (snap_load_file(opts->replay, res.model, &err) != 0) {
            fprintf(stderr, "pxcmesh doctor: %s\n", err.msg);
            model_free(res.model);
            return 2;
        }
    } else if (collect_once(opts, timeout_s, 0, &res, &err) != 0) {
        fprintf(stderr, "pxcmesh doctor: %s\n", err.msg);
        return 2;
    }
    /* A replay has no config: the default thresholds. */
    struct health_limits lim = health_limits_from_config(res.cfg);
    struct doctor_opts dopts = {.limits = &lim};
    int errors = doctor_run(res.model, &dopts);
    struct strbuf out;
    strbuf_init(&out);
    if (json) {
        doctor_json(res.model, &out);
    } else {
        doctor_format(res.model, &out);
    }
    fputs(out.s, stdout);
    strbuf_fini(&out);
    collect_result_fini(&res);
    return errors > 0 ? 1 : 0;
}
