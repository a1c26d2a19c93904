/* log: the sink is process-wide configuration written once before the loop starts
 * (like stderr itself), which is why it is file-static rather than in struct app:
 * every module may log, and threading an app pointer into a parser only to log is worse.
 * Writes are serialised by stdio's own lock, so workers may log too. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static FILE *sink;
static enum log_level min_level = LOG_INFO;

int
log_open(const char *path, enum log_level min, struct pxerr *err)
{
    log_close();
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "cannot open log file '%s': %s", path, strerror(errno));
    setvbuf(f, NULL, _IOLBF, 0);
    sink = f;
    min_level = min;
    return 0;
}

void
log_close(void)
{
    if (sink != NULL)
        fclose(sink);
    sink = NULL;
}

void
log_msg(enum log_level lv, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (sink == NULL || lv < min_level)
        return;
    char ts[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    flockfile(sink);
    fprintf(sink, "%s.%03ldZ %s ", ts, now.tv_nsec / 1000000, names[lv]);
    vfprintf(sink, fmt, ap);
    fputc('\n', sink);
    funlockfile(sink);
    va_end(ap);
}
