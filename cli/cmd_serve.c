/* cmd_serve: `pxcmesh serve [--listen ADDR] [--tls-cert F --tls-key F] [--insecure]`: the
 * console's backends, model and live doctor with no screen, and their state over HTTP:
 * /metrics (Prometheus), /status.json (the status JSON), /findings.json (the doctor's JSON)
 * and /healthz (docs/serve.md). Every document is rendered on the loop when a request asks
 * for it (backends/serve/serve_http.h), and only when the model changed since the last
 * render, so an idle serve with no scraper costs what the backends cost.
 *
 * Exit: 0 after SIGINT/SIGTERM, 1 when it cannot start (the address is taken, the config
 * is bad), 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "cmd.h"
#include "doctor/doctor.h"
#include "doctor/health.h"
#include "export/metrics.h"
#include "headless.h"
#include "model/snap.h"
#include "serve/serve_http.h"
#include "version.h"

#define SERVE_LISTEN_DEFAULT "127.0.0.1:9713"

static int cmd_serve_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag serve_flags[] = {
    {"--listen", NULL, CV_WORD, "ADDR:PORT", NULL, "where to listen (default " SERVE_LISTEN_DEFAULT ")"},
    {"--tls-cert", NULL, CV_FILE, "FILE", NULL, "serve HTTPS with this certificate (PEM)"},
    {"--tls-key", NULL, CV_FILE, "FILE", NULL, "the certificate's private key (PEM)"},
    {"--insecure", NULL, CV_NONE, NULL, NULL, "plain HTTP on an address other than loopback"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_serve_entry = {
    .name = "serve",
    .usage = "serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--insecure]",
    .summary = "watch the clusters with no screen and serve /metrics (Prometheus), "
               "/status.json, /findings.json and /healthz over HTTP",
    .flags = CMD_REPLAY,
    .exec = cmd_serve_exec,
    .opts = serve_flags,
};

static const char serve_usage[] =
    "usage: pxcmesh serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--insecure]\n"
    "                     [--config FILE | --kubeconfig FILE --context C ... | --replay FILE]\n"
    "Watches every configured cluster as the console does (the same backends and live\n"
    "doctor), with no screen, and serves over HTTP:\n"
    "  /metrics        Prometheus text format (docs/serve.md lists the metrics)\n"
    "  /status.json    the status JSON (docs/status-json.md)\n"
    "  /findings.json  the doctor's findings\n"
    "  /healthz        200 while the event loop answers\n"
    "--listen defaults to " SERVE_LISTEN_DEFAULT " (port 0: any free port; the URL is printed\n"
    "on stderr). An address other than loopback needs --tls-cert and --tls-key, or\n"
    "--insecure to serve plain HTTP there anyway. --replay FILE serves a saved snapshot.\n"
    "Stops cleanly on SIGINT or SIGTERM. Exit: 0 stopped, 1 could not start, 2 usage.\n";

struct serve_run {
    struct headless *hl;
    const struct health_limits *limits;
    uint64_t status_seq, findings_seq; /* of the published documents, 0 none */
};

static int
render(enum serve_doc doc, struct strbuf *out, void *arg, struct pxerr *err)
{
    struct serve_run *r = arg;
    struct model *m = headless_model(r->hl);
    switch (doc) {
    case SERVE_METRICS: {
        /* Always again: the ages in it grow with the clock. */
        struct metrics_opts mo = {
            .limits = r->limits,
            .version = PXC_VERSION,
            .doctor_runs = headless_replay(r->hl) ? -1 : (int64_t)headless_doctor_runs(r->hl),
            .model_changes = (int64_t)m->seq,
            .events = (int64_t)headless_events(r->hl),
        };
        metrics_render(m, &mo, out);
        return 1;
    }
    case SERVE_STATUS:
        if (r->status_seq == m->seq + 1)
            return 0;
        if (snap_write(m, out, err) < 0)
            return err->code != 0 ? err->code : PXE_INTERNAL;
        r->status_seq = m->seq + 1;
        return 1;
    case SERVE_FINDINGS:
        if (r->findings_seq == m->findings_seq)
            return 0;
        doctor_json(m, out);
        r->findings_seq = m->findings_seq;
        return 1;
    case SERVE_HEALTHZ:
        strbuf_append(out, "ok\n");
        return 1;
    case SERVE__NDOCS:
        break;
    }
    return pxerr_set(err, PXE_INTERNAL, "no such document");
}

static int
cmd_serve_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"listen", required_argument, NULL, 'l'},  {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'}, {"insecure", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct serve_http_opts so = {.listen = SERVE_LISTEN_DEFAULT};
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (ch) {
        case 'l':
            so.listen = optarg;
            break;
        case 'c':
            so.tls_cert = optarg;
            break;
        case 'k':
            so.tls_key = optarg;
            break;
        case 'I':
            so.insecure = true;
            break;
        case 'h':
            fputs(serve_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("serve", "unknown option or missing value '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    struct pxerr err = {0};
    if (serve_http_check(&so, &err) < 0)
        return cmd_usage_error("serve", "%s", err.msg);
    if (opts->log_path != NULL && log_open(opts->log_path, LOG_DEBUG, &err) < 0) {
        fprintf(stderr, "pxcmesh serve: %s\n", err.msg);
        return 1;
    }
    struct serve_run r = {0};
    struct headless_opts ho = {.cmd = opts, .replay_ok = true};
    int rc = headless_start(&ho, &r.hl, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh serve: %s\n", err.msg);
        log_close();
        return rc == PXE_USAGE ? 2 : 1;
    }
    struct health_limits lim = health_limits_from_config(headless_config(r.hl));
    r.limits = &lim;
    so.render = render;
    so.arg = &r;
    struct serve_http *srv = NULL;
    if (serve_http_start(headless_loop(r.hl), &so, &srv, &err) < 0) {
        fprintf(stderr, "pxcmesh serve: %s\n", err.msg);
        (void)headless_free(r.hl);
        log_close();
        return 1;
    }
    fprintf(stderr,
            "pxcmesh serve: serving %s (/metrics, /status.json, /findings.json, "
            "/healthz)\n",
            serve_http_url(srv));
    fflush(stderr);
    int exit_code = headless_run(r.hl);
    serve_http_stop(srv);
    if (headless_free(r.hl) != 0)
        exit_code = 1;
    log_close();
    return exit_code;
}
