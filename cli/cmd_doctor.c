/* cmd_doctor: `pxcmesh doctor [--json] [--timeout S] [--probe] [--fix [CODE...] [--dry-run]
 * [--yes]]`: one complete look at every cluster (collect), every check of the doctor, the
 * findings printed root cause first, each with its fix as a command runnable as printed.
 * With --probe, in-mesh checks from each failing channel's pod follow (doctor_probe.h).
 * With --fix, the fixes pxcmesh can do itself (doctor/fixrun.h) run one by one, each
 * previewed (the SQL or the object diff), asked for (unless --yes) and applied through the
 * same backends the console uses; the others are printed for the operator to run.
 * Exit 0 no error finding and every server read (with --fix: every fix chosen ran), 1
 * errors found or a server could not be read (blind is not healthy, even where that is only
 * a warning), or a fix failed or was declined; 2 the doctor itself could not run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "strbuf.h"
#include "cmd.h"
#include "collect.h"
#include "doctor_probe.h"
#include "outfmt.h"
#include "runfix.h"
#include "tabw.h"
#include "doctor/doctor.h"
#include "doctor/fixrun.h"
#include "manifest/crdreg.h"
#include "model/snap.h"

static int cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag doctor_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL,
     "json, yaml, wide (a table with the fix), name, jsonpath=TEMPLATE"},
    {"--json", NULL, CV_NONE, NULL, NULL, "-o json"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait for every cluster (default 30)"},
    {"--probe", NULL, CV_NONE, NULL, NULL,
     "and check from each failing channel's pod, through exec (creates no pod)"},
    {"--fix", NULL, CV_NONE, NULL, NULL, "run the fixes pxcmesh can do (of the CODEs given)"},
    {"--dry-run", NULL, CV_NONE, NULL, NULL, "with --fix: show each change, make none"},
    {"--yes", NULL, CV_NONE, NULL, NULL, "with --fix: do not ask"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_doctor_entry = {
    .name = "doctor",
    .usage = "doctor [-o FORMAT] [--timeout S] [--probe] [--fix [CODE...] [--dry-run] [--yes]]",
    .summary = "run every check and print the findings, root cause first, with the fix; "
               "--fix runs the fixes",
    .flags = CMD_REPLAY,
    .exec = cmd_doctor_exec,
    .opts = doctor_flags,
    .outputs = OUTFMT_OBJECTS,
};

static const char doctor_usage[] =
    "usage: pxcmesh doctor [-o json|yaml|wide|name|jsonpath=T] [--timeout SECONDS]\n"
    "                      [--probe] [--fix [CODE...] [--dry-run] [--yes]]\n"
    "                      [--config FILE] [--context C]... [--cluster NAME]...\n"
    "                      [--replay SNAPSHOT]\n"
    "Runs every check over what the clusters and servers report and prints the findings,\n"
    "each with a stable code and the fix, root cause first.\n"
    "--probe also checks, from the pod that runs each failing channel (through exec; it\n"
    "creates no probe pod), the DNS of its source host, a MySQL handshake with it and the\n"
    "sidecar's Envoy cluster for it: as text after the findings, or inMeshChecks[] beside\n"
    "findings[] in -o json|yaml|jsonpath. A check that fails makes the exit code 1.\n"
    "--fix runs the fixes pxcmesh can do itself (label a namespace, restart a StatefulSet,\n"
    "apply a ServiceEntry from the remote nodes, start a channel, repoint its source host,\n"
    "set its replication password from the source's Secret), of the findings with the codes\n"
    "given (all when none): each shows the exact change and asks first; --dry-run only shows\n"
    "it, --yes does not ask. Other fixes are printed to run by hand.\n"
    "Exit: 0 no error found, 1 errors found or a MySQL server could not be read (or a fix\n"
    "failed or was declined), 2 the doctor could not run.\n";

static bool
wanted(const struct m_finding *f, char **codes, int n_codes)
{
    if (n_codes == 0)
        return true;
    for (int i = 0; i < n_codes; i++)
        if (strcmp(codes[i], f->code) == 0)
            return true;
    return false;
}

/* The same fix twice (NS_NOT_INJECTED of one namespace, POD_NO_SIDECAR of each pod of a
 * StatefulSet) runs once. */
static bool
seen_before(const struct model *m, size_t i)
{
    const struct m_fix *x = &((const struct m_finding *)m->findings.items[i])->fix;
    for (size_t j = 0; j < i; j++) {
        const struct m_fix *y = &((const struct m_finding *)m->findings.items[j])->fix;
        if (x->kind == y->kind && x->command != NULL && y->command != NULL &&
            strcmp(x->command, y->command) == 0)
            return true;
    }
    return false;
}

static int
run_fixes(struct collect_result *res, char **codes, int n_codes, bool dry, bool yes)
{
    struct model *m = res->model;
    int failed = 0, ran = 0;
    struct crdreg *schemas = NULL;
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        if (!wanted(f, codes, n_codes) || f->fix.kind == FIX_NONE || seen_before(m, i))
            continue;
        if (!fixrun_can(f->fix.kind)) {
            printf("%s %s %s: run by hand: %s\n", f->code, f->cluster, f->object, f->fix.command);
            continue;
        }
        printf("%s %s %s: %s (%s)\n", f->code, f->cluster, f->object,
               f->fix.what != NULL ? f->fix.what : "", f->fix.where != NULL ? f->fix.where : "");
        switch (runfix_one(res, &f->fix, "doctor", "  ", dry, yes, &schemas)) {
        case RUNFIX_DONE:
            ran++;
            break;
        case RUNFIX_DECLINED:
        case RUNFIX_FAILED:
            failed++;
            break;
        case RUNFIX_NO_CHANGE:
        case RUNFIX_DRY:
            break;
        }
    }
    crdreg_free(schemas);
    if (ran > 0)
        printf("%d fix%s ran; `pxcmesh doctor` shows what remains once the clusters report the "
               "change\n",
               ran, ran == 1 ? "" : "es");
    return failed;
}

/* The findings in the output asked for: text is the doctor's report, root cause first.
 * checks (doctor --probe, else NULL): the in-mesh checks as text after a text or wide report,
 * or as their objects (borrowed) beside the findings in a document. */
static void
print_findings(const struct model *m, const struct outfmt *of, const struct strbuf *checks,
               json_t *checks_json)
{
    if (of->kind == OUTFMT_TEXT) {
        struct strbuf out;
        strbuf_init(&out);
        doctor_format(m, &out);
        if (checks != NULL)
            strbuf_append(&out, checks->s);
        fputs(out.s, stdout);
        strbuf_fini(&out);
        return;
    }
    if (of->kind == OUTFMT_NAME || of->kind == OUTFMT_WIDE) {
        struct tabw t;
        tabw_init(&t);
        if (of->kind == OUTFMT_WIDE) {
            tabw_row(&t);
            const char *head[] = {"SEVERITY", "CODE", "CLUSTER", "OBJECT", "SINCE",
                                  "MESSAGE", "FIX"};
            for (size_t k = 0; k < sizeof head / sizeof head[0]; k++)
                tabw_cell(&t, head[k]);
        }
        for (size_t i = 0; i < m->findings.n; i++) {
            const struct m_finding *f = m->findings.items[i];
            if (of->kind == OUTFMT_NAME) {
                printf("finding/%s/%s/%s\n", f->code, f->cluster, f->object);
                continue;
            }
            char since[32] = "-";
            if (f->since_ms > 0)
                clock_fmt_age(clock_wall_ms() - f->since_ms, since, sizeof since);
            tabw_row(&t);
            tabw_cell(&t, model_severity_name(f->severity));
            tabw_cell(&t, f->code);
            tabw_cell(&t, f->cluster);
            tabw_cell(&t, f->object);
            tabw_cell(&t, since);
            tabw_cell(&t, f->message);
            tabw_cell(&t, f->fix.command != NULL && f->fix.command[0] ? f->fix.command
                          : f->hint != NULL                          ? f->hint
                                                                     : "");
        }
        tabw_flush(&t, stdout);
        tabw_fini(&t);
        if (checks != NULL)
            fputs(checks->s, stdout);
        return;
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "findings", doctor_findings_json(m));
    if (checks_json != NULL)
        json_object_set(doc, "inMeshChecks", checks_json);
    outfmt_print_doc(of, doc, stdout);
    json_decref(doc);
}

static int doctor_run_cmd(const struct cmd_opts *opts, int argc, char **argv,
                          const struct outfmt *of, bool fix, bool dry, bool yes, bool probe,
                          int timeout_s);

static int
cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"timeout", required_argument, NULL, 't'},
        {"fix", no_argument, NULL, 'f'},
        {"dry-run", no_argument, NULL, 'd'},
        {"yes", no_argument, NULL, 'y'},
        {"probe", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool fix = false, dry = false, yes = false, probe = false;
    struct outfmt of = {0};
    int timeout_s = 30, ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "jo:t:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
        case 'o':
            if (outfmt_set(&of, "doctor", ch == 'j' ? "json" : optarg, OUTFMT_OBJECTS) != 0)
                return 2;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v <= 0 || v > 3600) {
                outfmt_fini(&of);
                return cmd_usage_error("doctor", "--timeout needs seconds (1-3600), got '%s'",
                                       optarg);
            }
            timeout_s = (int)v;
            break;
        }
        case 'f':
            fix = true;
            break;
        case 'd':
            dry = true;
            break;
        case 'y':
            yes = true;
            break;
        case 'p':
            probe = true;
            break;
        case 'h':
            outfmt_fini(&of);
            fputs(doctor_usage, stdout);
            return 0;
        default:
            outfmt_fini(&of);
            return cmd_usage_error("doctor", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int code = doctor_run_cmd(opts, argc, argv, &of, fix, dry, yes, probe, timeout_s);
    outfmt_fini(&of);
    return code;
}

static int
doctor_run_cmd(const struct cmd_opts *opts, int argc, char **argv, const struct outfmt *of,
               bool fix, bool dry, bool yes, bool probe, int timeout_s)
{
    if (optind < argc && !fix)
        return cmd_usage_error("doctor", "unexpected argument '%s' (codes go after --fix)",
                               argv[optind]);
    if ((dry || yes) && !fix)
        return cmd_usage_error("doctor", "--dry-run and --yes are for --fix");
    if (fix && of->kind != OUTFMT_TEXT)
        return cmd_usage_error("doctor", "--fix prints its steps as text; -o is for the "
                                         "findings alone");
    if (fix && opts->replay != NULL)
        return cmd_usage_error("doctor", "--fix acts on live clusters, not on a snapshot");
    if (fix && dry && yes)
        return cmd_usage_error("doctor", "give --dry-run or --yes, not both");
    if (probe && (fix || opts->replay != NULL))
        return cmd_usage_error("doctor", "--probe checks live clusters, without --fix or --replay");
    if (probe && of->kind == OUTFMT_NAME)
        return cmd_usage_error("doctor", "--probe's checks have no names: give -o json, yaml, "
                                         "wide or none");
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
        if (cmd_replay_select(res.model, opts, "doctor") != 0) {
            model_free(res.model);
            return 2;
        }
    } else if (collect_once(opts, timeout_s, fix || probe ? COLLECT_KEEP : 0, &res, &err) != 0) {
        fprintf(stderr, "pxcmesh doctor: %s\n", err.msg);
        return 2;
    }
    if (fix && !dry && (opts->readonly || res.cfg->readonly)) {
        fprintf(stderr,
                "pxcmesh doctor: read-only mode (--readonly or readonly: true in %s): "
                "--fix refused; --dry-run shows what it would do\n",
                res.cfg->path != NULL ? res.cfg->path : "the config");
        collect_result_fini(&res);
        return 1;
    }
    /* A replay has no config: the default thresholds, commands with --context. */
    struct health_limits lim = health_limits_from_config(res.cfg);
    struct doctor_opts dopts = {.limits = &lim, .cfg = res.cfg};
    int errors = doctor_run(res.model, &dopts);
    /* A server that could not be read is no healthy one, even where its finding is only a
     * warning (a node down that runs no channel). */
    for (size_t i = 0; i < res.model->clusters.n; i++) {
        const struct m_cluster *c = res.model->clusters.items[i];
        for (size_t k = 0; k < c->servers.n; k++)
            errors += ((const struct m_server *)c->servers.items[k])->error[0] != '\0';
    }
    int code = errors > 0 ? 1 : 0;
    if (fix) {
        char **codes = argv + optind;
        int n_codes = argc - optind;
        for (int i = 0; i < n_codes; i++) {
            bool known = false;
            for (size_t k = 0; k < res.model->findings.n && !known; k++)
                known =
                    strcmp(((struct m_finding *)res.model->findings.items[k])->code, codes[i]) == 0;
            if (!known)
                printf("%s: no such finding now\n", codes[i]);
        }
        code = run_fixes(&res, codes, n_codes, dry, yes) > 0 ? 1 : 0;
        if (res.model->findings.n == 0)
            printf("no problems found\n");
    } else if (probe) {
        struct strbuf checks;
        strbuf_init(&checks);
        json_t *arr = json_array();
        if (doctor_probe_channels(&res, 10000, &checks, arr) > 0)
            code = 1;
        print_findings(res.model, of, &checks, arr);
        json_decref(arr);
        strbuf_fini(&checks);
    } else {
        print_findings(res.model, of, NULL, NULL);
    }
    collect_result_fini(&res);
    return code;
}
