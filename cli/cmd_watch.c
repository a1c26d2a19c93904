/* cmd_watch: `pxcmesh watch -o json-lines [--fail-after DURATION]`: the console's backends
 * and live doctor with no screen, and what happens as one JSON object per line on stdout
 * (backends/export/evstream.h; docs/serve.md), for scripts and log shippers. The first line
 * is "synced" once every cluster answered its first lists; then a line per change.
 *
 * --fail-after: a cluster whose API has not answered for that long (counted from the start
 * when it never did) ends the watch with a last line of type "exit" and exit code 1.
 * Exit: 0 after SIGINT/SIGTERM or when the reader of stdout goes away, 1 on --fail-after
 * or when it cannot start, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "export/evstream.h"
#include "headless.h"

static int cmd_watch_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag watch_flags[] = {
    {"--output", "-o", CV_CHOICE, "FORMAT", "json-lines", "each change as one JSON line"},
    {"--fail-after", NULL, CV_WORD, "DURATION", NULL,
     "exit 1 once a cluster has not answered for this long (30s, 5m)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_watch_entry = {
    .name = "watch",
    .usage = "watch -o json-lines [--fail-after DURATION]",
    .summary = "watch the clusters with no screen and print each change (channel states, "
               "findings, objects, the event log) as a JSON line",
    .flags = 0,
    .exec = cmd_watch_exec,
    .opts = watch_flags,
};

static const char watch_usage[] =
    "usage: pxcmesh watch [-o json-lines] [--fail-after DURATION]\n"
    "                     [--config FILE | --kubeconfig FILE --context C ...]\n"
    "Watches every configured cluster as the console does (the same backends and live\n"
    "doctor), with no screen, and prints one JSON object per line on stdout: a \"synced\"\n"
    "line once every cluster answered, then channel state and source changes, findings\n"
    "appearing and clearing, objects added and removed, clusters becoming unreachable or\n"
    "reachable, and the console's event log (docs/serve.md).\n"
    "--fail-after DURATION (30s, 5m, 1h, or seconds): exit 1 when a cluster's API stays\n"
    "unreachable that long.\n"
    "Exit: 0 stopped (SIGINT, SIGTERM, the reader went away), 1 --fail-after or could not\n"
    "start, 2 usage.\n";

struct watch_run {
    struct headless *hl;
    struct evstream *es;
    bool synced;
    int64_t fail_after_ms; /* 0: never */
    int64_t start_ms;
    int64_t *down_since; /* per cluster (model order), 0 reachable */
    size_t n_down;
    uv_timer_t tick;
    struct strbuf out;
};

/* "30s", "5m", "1h", "90" (seconds). -1 when it does not parse. */
static int64_t
parse_duration_ms(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || v <= 0)
        return -1;
    double mul = 1000;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "s") == 0 || *end == '\0')
        mul = 1000;
    else if (strcmp(end, "m") == 0)
        mul = 60000;
    else if (strcmp(end, "h") == 0)
        mul = 3600000;
    else
        return -1;
    double ms = v * mul;
    return ms >= 1 && ms < 1e15 ? (int64_t)ms : -1;
}

/* Write what is buffered; false when stdout is gone (the reader exited). */
static bool
flush_out(struct watch_run *r)
{
    if (r->out.len == 0)
        return true;
    bool ok = fwrite(r->out.s, 1, r->out.len, stdout) == r->out.len && fflush(stdout) == 0;
    strbuf_reset(&r->out);
    return ok;
}

static void
emit(struct watch_run *r, bool baseline)
{
    struct model *m = headless_model(r->hl);
    (void)evstream_diff(r->es, m, headless_events(r->hl), baseline, &r->out);
    if (!flush_out(r))
        headless_stop(r->hl, 0);
}

static void
on_change(struct headless *h, void *arg)
{
    struct watch_run *r = arg;
    (void)h;
    if (r->synced)
        emit(r, false);
}

static void
on_synced(struct headless *h, int n_unreachable, void *arg)
{
    struct watch_run *r = arg;
    (void)h;
    (void)n_unreachable; /* each cluster's state is in the synced line */
    r->synced = true;
    /* Judged now: findings of a half-listed model would appear and clear at once. */
    headless_doctor_run(r->hl);
    emit(r, true);
}

/* Once a second: --fail-after. */
static void
on_tick(uv_timer_t *t)
{
    struct watch_run *r = t->data;
    struct model *m = headless_model(r->hl);
    int64_t now = clock_wall_ms();
    if (m->clusters.n > r->n_down) {
        r->down_since = xrealloc(r->down_since, m->clusters.n * sizeof *r->down_since);
        for (size_t i = r->n_down; i < m->clusters.n; i++)
            r->down_since[i] = r->start_ms;
        r->n_down = m->clusters.n;
    }
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (c->reachable) {
            r->down_since[i] = 0;
            continue;
        }
        if (r->down_since[i] == 0)
            r->down_since[i] = now;
        if (now - r->down_since[i] < r->fail_after_ms)
            continue;
        if (r->synced)
            emit(r, false); /* what led here first */
        char msg[512];
        snprintf(msg, sizeof msg, "cluster %s unreachable for %lld s (--fail-after): %s", c->name,
                 (long long)((now - r->down_since[i]) / 1000),
                 c->error[0] != '\0' ? c->error : "no answer from its API server");
        evstream_line(&r->out, "exit", "fail-after", c->name, msg);
        (void)flush_out(r);
        fprintf(stderr, "pxcmesh watch: %s\n", msg);
        headless_stop(r->hl, 1);
        return;
    }
}

static int
cmd_watch_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, NULL, 'o'},
        {"fail-after", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int64_t fail_after_ms = 0;
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'o':
            if (strcmp(optarg, "json-lines") != 0 && strcmp(optarg, "jsonl") != 0)
                return cmd_usage_error("watch", "-o '%s': the only output is json-lines", optarg);
            break;
        case 'f':
            if ((fail_after_ms = parse_duration_ms(optarg)) < 0)
                return cmd_usage_error("watch",
                                       "--fail-after needs a duration such as 30s, "
                                       "5m or 1h, got '%s'",
                                       optarg);
            break;
        case 'h':
            fputs(watch_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("watch", "unknown option or missing value '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage_error("watch", "unexpected argument '%s'", argv[optind]);
    struct pxerr err = {0};
    if (opts->log_path != NULL && log_open(opts->log_path, LOG_DEBUG, &err) < 0) {
        fprintf(stderr, "pxcmesh watch: %s\n", err.msg);
        return 1;
    }
    struct watch_run r = {.fail_after_ms = fail_after_ms, .start_ms = clock_wall_ms()};
    strbuf_init(&r.out);
    struct headless_opts ho = {
        .cmd = opts, .on_change = on_change, .on_synced = on_synced, .arg = &r};
    int rc = headless_start(&ho, &r.hl, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh watch: %s\n", err.msg);
        strbuf_fini(&r.out);
        log_close();
        return rc == PXE_USAGE ? 2 : 1;
    }
    r.es = evstream_new();
    uv_timer_init(headless_loop(r.hl), &r.tick);
    r.tick.data = &r;
    if (fail_after_ms > 0)
        uv_timer_start(&r.tick, on_tick, 1000, 1000);
    int exit_code = headless_run(r.hl);
    uv_close((uv_handle_t *)&r.tick, NULL);
    if (headless_free(r.hl) != 0)
        exit_code = 1;
    evstream_free(r.es);
    free(r.down_since);
    strbuf_fini(&r.out);
    log_close();
    return exit_code;
}
