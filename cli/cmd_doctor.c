/* cmd_doctor: `pxcmesh doctor [--json] [--timeout S] [--fix [CODE...] [--dry-run] [--yes]]`:
 * one complete look at every cluster (collect), every check of the doctor, the findings
 * printed root cause first, each with its fix as a command runnable as printed. With --fix,
 * the fixes pxcmesh can do itself (doctor/fixrun.h) run one by one, each previewed (the SQL
 * or the object diff), asked for (unless --yes) and applied through the same backends the
 * console uses; the others are printed for the operator to run.
 * Exit 0 no error finding and every server read (with --fix: every fix chosen ran), 1
 * errors found or a server could not be read (blind is not healthy, even where that is only
 * a warning), or a fix failed or was declined; 2 the doctor itself could not run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "cmd.h"
#include "collect.h"
#include "doctor_probe.h"
#include "doctor/doctor.h"
#include "doctor/fixrun.h"
#include "manifest/crdreg.h"
#include "model/snap.h"

static int cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_doctor_entry = {
    .name = "doctor",
    .usage = "doctor [--json] [--timeout S] [--fix [CODE...] [--dry-run] [--yes]]",
    .summary = "run every check and print the findings, root cause first, with the fix; "
               "--fix runs the fixes",
    .flags = CMD_REPLAY,
    .exec = cmd_doctor_exec,
};

static const char doctor_usage[] =
    "usage: pxcmesh doctor [--json] [--timeout SECONDS] [--probe]\n"
    "                      [--fix [CODE...] [--dry-run] [--yes]]\n"
    "                      [--config FILE | --kubeconfig FILE --context C [--context C ...]\n"
    "                       | --replay SNAPSHOT]\n"
    "Runs every check over what the clusters and servers report and prints the findings,\n"
    "each with a stable code and the fix, root cause first.\n"
    "--probe also checks, from the pod that runs each failing channel (through exec; it\n"
    "creates no probe pod), the DNS of its source host, a MySQL handshake with it and the\n"
    "sidecar's Envoy cluster for it.\n"
    "--fix runs the fixes pxcmesh can do itself (label a namespace, restart a StatefulSet,\n"
    "apply a ServiceEntry from the remote nodes, start a channel, repoint its source host,\n"
    "set its replication password from the source's Secret), of the findings with the codes\n"
    "given (all when none): each shows the exact change and asks first; --dry-run only shows\n"
    "it, --yes does not ask. Other fixes are printed to run by hand.\n"
    "Exit: 0 no error found, 1 errors found or a MySQL server could not be read (or a fix\n"
    "failed or was declined), 2 the doctor could not run.\n";

/* Ask on the terminal (stdin may be a pipe). */
static bool
confirm(const char *question)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return false;
    fprintf(tty, "%s [y/N] ", question);
    fflush(tty);
    char line[32] = "";
    bool yes = fgets(line, sizeof line, tty) != NULL && (line[0] == 'y' || line[0] == 'Y');
    fclose(tty);
    return yes;
}

struct step_wait {
    uv_loop_t *loop;
    bool done;
    int status;
    struct pxerr err;
};

static void
on_step(struct fixrun *fr, int status, const struct pxerr *err, void *arg)
{
    struct step_wait *w = arg;
    (void)fr;
    w->done = true;
    w->status = status;
    if (err != NULL)
        w->err = *err;
    uv_stop(w->loop);
}

/* Run one step to its callback. 0 or its status with w->err. */
static int
wait_step(struct step_wait *w, int started, const struct pxerr *err)
{
    if (started != 0) {
        w->err = *err;
        return started;
    }
    while (!w->done)
        uv_run(w->loop, UV_RUN_DEFAULT);
    return w->status;
}

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
        struct fixrun *fr = fixrun_new(res->loop, m, res->live, &f->fix);
        struct step_wait pw = {.loop = res->loop};
        struct pxerr err = {0};
        int rc = wait_step(&pw, fixrun_preview(fr, schemas, on_step, &pw, &err), &err);
        schemas = fixrun_take_schemas(fr);
        printf("%s %s %s: %s\n", f->code, f->cluster, f->object, fixrun_what(fr));
        if (rc != 0) {
            printf("  cannot run it: %s\n", pw.err.msg);
            failed++;
        } else {
            for (const char *s = fixrun_text(fr); *s != '\0';) {
                size_t len = strcspn(s, "\n");
                printf("  %.*s\n", (int)len, s);
                s += len + (s[len] == '\n');
            }
            if (f->fix.warning != NULL && f->fix.warning[0] != '\0')
                printf("  warning: %s\n", f->fix.warning);
            char q[700];
            snprintf(q, sizeof q, "run it: %s?", fixrun_what(fr));
            if (dry || fixrun_no_change(fr)) {
                printf("  %s\n", dry ? "not run (--dry-run)" : "nothing to change");
            } else if (!yes && !confirm(q)) {
                printf("  not run%s\n",
                       isatty(STDIN_FILENO) ? "" : " (no terminal to ask on: use --yes)");
                failed++;
            } else {
                struct step_wait aw = {.loop = res->loop};
                if (wait_step(&aw, fixrun_apply(fr, on_step, &aw, &err), &err) != 0) {
                    printf("  failed: %s\n", aw.err.msg);
                    failed++;
                } else {
                    printf("  done\n");
                    ran++;
                }
            }
        }
        fixrun_free(fr);
        uv_run(res->loop, UV_RUN_NOWAIT);
    }
    crdreg_free(schemas);
    if (ran > 0)
        printf("%d fix%s ran; `pxcmesh doctor` shows what remains once the clusters report the "
               "change\n",
               ran, ran == 1 ? "" : "es");
    return failed;
}

static int
cmd_doctor_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"fix", no_argument, NULL, 'f'},
        {"dry-run", no_argument, NULL, 'd'},
        {"yes", no_argument, NULL, 'y'},
        {"probe", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, fix = false, dry = false, yes = false, probe = false;
    int timeout_s = 30, ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "jt:h", lo, NULL)) != -1) {
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
            fputs(doctor_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("doctor", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc && !fix)
        return cmd_usage_error("doctor", "unexpected argument '%s' (codes go after --fix)",
                               argv[optind]);
    if ((dry || yes) && !fix)
        return cmd_usage_error("doctor", "--dry-run and --yes are for --fix");
    if (fix && json)
        return cmd_usage_error("doctor", "--fix prints its steps as text; --json is for the "
                                         "findings alone");
    if (fix && opts->replay != NULL)
        return cmd_usage_error("doctor", "--fix acts on live clusters, not on a snapshot");
    if (fix && dry && yes)
        return cmd_usage_error("doctor", "give --dry-run or --yes, not both");
    if (probe && (fix || opts->replay != NULL))
        return cmd_usage_error("doctor", "--probe checks live clusters, without --fix or --replay");
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
    } else {
        struct strbuf out, checks;
        strbuf_init(&out);
        strbuf_init(&checks);
        json_t *arr = json && probe ? json_array() : NULL;
        if (probe && doctor_probe_channels(&res, 10000, &checks, arr) > 0)
            code = 1;
        if (arr != NULL) {
            json_t *doc = json_object();
            json_object_set_new(doc, "findings", doctor_findings_json(res.model));
            json_object_set_new(doc, "inMeshChecks", arr);
            char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            if (s != NULL)
                strbuf_appendf(&out, "%s\n", s);
            free(s);
            json_decref(doc);
        } else if (json) {
            doctor_json(res.model, &out);
        } else {
            doctor_format(res.model, &out);
            strbuf_append(&out, checks.s);
        }
        fputs(out.s, stdout);
        strbuf_fini(&out);
        strbuf_fini(&checks);
    }
    collect_result_fini(&res);
    return code;
}
