/* trace: the benchmark hook of the console (PXCMESH_TRACE=FILE). It records when the console
 * started, when its data was complete, when the model changed and when frames were drawn
 * with the bytes each sent to the terminal, so that scripts/bench.sh can compute the time to
 * the first complete frame, change-to-screen latency and terminal output per frame without
 * scraping the screen. It is deliberately not a log: it never says what changed, and it
 * costs nothing (one NULL check per call) when the variable is unset. */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pxerr.h"
#include "xmalloc.h"
#include "model/model.h"

struct trace {
    FILE *f;                /* owned: the trace file, appended */
    const struct model *m;  /* borrowed */
    int io_fd;              /* owned: /proc/self/task/<loop tid>/io, -1 when unavailable */
    uint64_t start_ms;      /* mono */
    bool loaded;            /* a replay: the first frame is complete */
    bool ready;             /* the data is complete (synced) */
    uint64_t ready_seq;     /* model seq when it became complete */
    bool first_done;        /* first_frame written */
    bool synced_done;       /* synced_frame written */
    bool change_pending;    /* a model change was written since the last frame */
    uint64_t last_frame_ms; /* mono end of the last frame, 0 none */
    uint64_t last_frame_seq;
    int64_t wchar_before;   /* -1: unknown */
};

/* The loop thread's write counter; -1 when /proc has no io accounting. */
static int64_t
read_wchar(const struct trace *t)
{
    if (t->io_fd < 0)
        return -1;
    char buf[512];
    ssize_t n = pread(t->io_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strstr(buf, "wchar:");
    if (p == NULL)
        return -1;
    return strtoll(p + 6, NULL, 10);
}

static void
trace_line(struct trace *t, const char *fmt, ...) PXC_PRINTF(2, 3);

static void
trace_line(struct trace *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->f, fmt, ap);
    va_end(ap);
    fputc('\n', t->f);
    /* Flushed per line: a benchmark reads the file while the console runs. */
    (void)fflush(t->f); /* a full disk loses trace lines, never the console */
}

struct trace *
trace_open(const struct model *m)
{
    const char *path = getenv("PXCMESH_TRACE");
    if (path == NULL || path[0] == '\0')
        return NULL;
    FILE *f = fopen(path, "ae");
    if (f == NULL) {
        fprintf(stderr, "pxcmesh: PXCMESH_TRACE=%s: cannot open for appending: %s; running "
                        "without the trace\n",
                path, strerror(errno));
        return NULL;
    }
    struct trace *t = xcalloc(1, sizeof *t);
    t->f = f;
    t->m = m;
    char io_path[64];
    snprintf(io_path, sizeof io_path, "/proc/self/task/%d/io", (int)gettid());
    t->io_fd = open(io_path, O_RDONLY | O_CLOEXEC);
    t->wchar_before = -1;
    t->start_ms = clock_mono_ms();
    trace_line(t, "start %" PRIu64 " %" PRId64, t->start_ms, clock_wall_ms());
    return t;
}

void
trace_free(struct trace *t)
{
    if (t == NULL)
        return;
    if (t->io_fd >= 0)
        close(t->io_fd);
    fclose(t->f);
    free(t);
}

/* Every cluster has answered or has an error to show. */
static bool
all_answered(const struct model *m)
{
    if (m->clusters.n == 0)
        return false;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (!c->reachable && c->error[0] == '\0')
            return false;
    }
    return true;
}

static void
synced_frame(struct trace *t, uint64_t at_ms)
{
    t->synced_done = true;
    trace_line(t, "synced_frame %" PRIu64, at_ms - t->start_ms);
}

static void
mark_synced(struct trace *t)
{
    if (t->ready)
        return;
    t->ready = true;
    t->ready_seq = t->m->seq;
    trace_line(t, "synced %" PRIu64 " %" PRIu64, clock_mono_ms(), t->ready_seq);
    /* A frame may already have drawn this very model (the sync callback can come after the
     * last change was drawn): then the screen was complete at that frame. */
    if (t->last_frame_ms != 0 && t->last_frame_seq >= t->ready_seq)
        synced_frame(t, t->last_frame_ms);
}

void
trace_data_ready(struct trace *t)
{
    if (t == NULL)
        return;
    t->loaded = true;
    mark_synced(t);
}

void
trace_live_synced(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv;
    (void)n_unreachable;
    if (arg != NULL)
        mark_synced(arg);
}

void
trace_model_change(struct trace *t)
{
    if (t == NULL || t->change_pending)
        return;
    t->change_pending = true;
    trace_line(t, "model_change %" PRIu64 " %" PRIu64, clock_mono_ms(), t->m->seq);
}

void
trace_doctor(int64_t run_us, uint64_t changes, size_t n_findings, bool changed, void *arg)
{
    struct trace *t = arg;
    if (t != NULL)
        trace_line(t, "doctor %" PRIu64 " %" PRId64 " %" PRIu64 " %zu %d", clock_mono_ms(), run_us,
                   changes, n_findings, changed ? 1 : 0);
}

void
trace_key(struct trace *t)
{
    if (t != NULL)
        trace_line(t, "key %" PRIu64, clock_mono_ms());
}

void
trace_frame_begin(struct trace *t)
{
    if (t == NULL)
        return;
    t->wchar_before = read_wchar(t);
}

void
trace_frame_end(struct trace *t)
{
    if (t == NULL)
        return;
    int64_t after = read_wchar(t);
    int64_t bytes = after >= 0 && t->wchar_before >= 0 ? after - t->wchar_before : -1;
    uint64_t now = clock_mono_ms();
    t->last_frame_ms = now;
    t->last_frame_seq = t->m->seq;
    t->change_pending = false;
    trace_line(t, "frame %" PRIu64 " %" PRId64 " %" PRIu64, now, bytes, t->last_frame_seq);
    if (!t->first_done && (t->loaded || all_answered(t->m))) {
        t->first_done = true;
        trace_line(t, "first_frame %" PRIu64, now - t->start_ms);
    }
    if (t->ready && !t->synced_done && t->last_frame_seq >= t->ready_seq)
        synced_frame(t, now);
}
