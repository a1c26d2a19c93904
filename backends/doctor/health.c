/* health: the one judgement of a channel (see health.h). The views colour by it, `channel
 * status` prints it, the doctor grades CH_LAG by its lag rule and the set-up words its
 * channel step with it, so that no two of them disagree on what "too far behind" means.
 * Which findings a bad channel raises (CH_IO_ERROR, CH_STOPPED ...) stays the doctor's:
 * this module says how bad, not why in the mesh. */
#include "doctor/health.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "pxerr.h"
#include "config/config.h"

static const struct health_limits health_defaults = {
    .lag_warn_s = CONFIG_LAG_WARN_S_DEFAULT,
    .lag_crit_s = CONFIG_LAG_CRIT_S_DEFAULT,
};

struct health_limits
health_limits_from_config(const struct config *cfg)
{
    struct health_limits l = health_defaults;
    /* config_load fills both (defaults included) and rejects crit <= warn; a config built
     * by hand with zeros keeps the defaults rather than calling every lag critical. */
    if (cfg != NULL && cfg->lag_warn_s > 0)
        l.lag_warn_s = cfg->lag_warn_s;
    if (cfg != NULL && cfg->lag_crit_s > 0)
        l.lag_crit_s = cfg->lag_crit_s;
    return l;
}

enum health_level
health_lag(double lag_s, const struct health_limits *lim)
{
    if (lim == NULL)
        lim = &health_defaults;
    if (lag_s < 0 || isnan(lag_s))
        return HEALTH_UNKNOWN;
    if (lag_s >= lim->lag_crit_s)
        return HEALTH_BAD;
    if (lag_s >= lim->lag_warn_s)
        return HEALTH_WARN;
    return HEALTH_OK;
}

static bool
set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* ", error 1062: Duplicate entry ..." when there is an errno or a message, else "". */
static void
err_suffix(int eno, const char *msg, char *buf, size_t n)
{
    if (eno != 0 && set(msg))
        snprintf(buf, n, ", error %d: %.150s", eno, msg);
    else if (eno != 0)
        snprintf(buf, n, ", error %d", eno);
    else if (set(msg))
        snprintf(buf, n, ": %.150s", msg);
    else
        buf[0] = '\0';
}

static enum health_level
say(char *why, size_t n, enum health_level h, const char *fmt, ...) PXC_PRINTF(4, 5);

static enum health_level
say(char *why, size_t n, enum health_level h, const char *fmt, ...)
{
    if (why != NULL && n > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return h;
}

static const char *
thread_words(enum thread_state t)
{
    return t == THR_UNKNOWN ? "state unknown" : model_thread_name(t);
}

enum health_level
health_channel(const struct m_channel *ch, const struct health_limits *lim, char *why, size_t n)
{
    if (lim == NULL)
        lim = &health_defaults;
    char e[200];
    if (ch->error[0] != '\0')
        return say(why, n, HEALTH_BAD, "status unreadable: %.200s", ch->error);
    if (ch->io == THR_NO && ch->sql == THR_NO && ch->last_io_errno == 0 &&
        ch->last_sql_errno == 0 && !set(ch->last_io_error) && !set(ch->last_sql_error))
        return say(why, n, HEALTH_BAD, "stopped (IO and SQL threads No)");
    if (ch->io == THR_NO || set(ch->last_io_error)) {
        err_suffix(ch->last_io_errno, ch->last_io_error, e, sizeof e);
        return say(why, n, HEALTH_BAD, "IO thread %s%s",
                   ch->io == THR_NO ? "stopped" : thread_words(ch->io), e);
    }
    if (ch->sql == THR_NO || set(ch->last_sql_error)) {
        err_suffix(ch->last_sql_errno, ch->last_sql_error, e, sizeof e);
        return say(why, n, HEALTH_BAD, "SQL thread %s%s",
                   ch->sql == THR_NO ? "stopped" : thread_words(ch->sql), e);
    }
    enum health_level lag = health_lag(ch->lag_s, lim);
    if (lag == HEALTH_BAD)
        return say(why, n, HEALTH_BAD,
                   "lag %.0f s, at or over the critical threshold of %.0f s (lagCritSeconds)",
                   ch->lag_s, lim->lag_crit_s);
    if (ch->io != THR_YES)
        return say(why, n, HEALTH_WARN, "IO thread %s", thread_words(ch->io));
    if (ch->sql != THR_YES)
        return say(why, n, HEALTH_WARN, "SQL thread %s", thread_words(ch->sql));
    if (lag == HEALTH_UNKNOWN)
        return say(why, n, HEALTH_WARN, "running, lag unknown");
    if (lag == HEALTH_WARN)
        return say(why, n, HEALTH_WARN,
                   "lag %.0f s, at or over the warning threshold of %.0f s (lagWarnSeconds)",
                   ch->lag_s, lim->lag_warn_s);
    return say(why, n, HEALTH_OK, "running, lag %.1f s", ch->lag_s);
}

const char *
health_level_name(enum health_level h)
{
    switch (h) {
    case HEALTH_OK:
        return "ok";
    case HEALTH_WARN:
        return "warning";
    case HEALTH_BAD:
        return "broken";
    case HEALTH_UNKNOWN:
        break;
    }
    return "unknown";
}
