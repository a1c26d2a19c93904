/* health: how a replication channel is doing, as one level and one reason, decided once for
 * the console's views, `pxcmesh channel status`, the doctor and the guided set-up. The lag
 * thresholds are the config's lagWarnSeconds / lagCritSeconds. Pure; whichever thread owns
 * the channel (the model's: the loop, or a one-shot command's main thread). */
#ifndef PXC_BACKENDS_DOCTOR_HEALTH_H
#define PXC_BACKENDS_DOCTOR_HEALTH_H

#include <stddef.h>

#include "model/model.h"

struct config;

/* Ordered: a worse level is a greater number. */
enum health_level {
    HEALTH_UNKNOWN = -1, /* health_lag only: there is no lag to judge */
    HEALTH_OK = 0,
    HEALTH_WARN = 1,
    HEALTH_BAD = 2,
};

struct health_limits {
    double lag_warn_s; /* lagWarnSeconds: a warning from this lag on */
    double lag_crit_s; /* lagCritSeconds: broken from this lag on (> lag_warn_s) */
};

/* The thresholds of cfg (borrowed); NULL, as in a replay, gives the defaults (60 s, 600 s). */
struct health_limits health_limits_from_config(const struct config *cfg);

/* The lag alone: HEALTH_UNKNOWN when it is not known (negative, NaN), HEALTH_OK below
 * lag_warn_s, HEALTH_WARN from lag_warn_s, HEALTH_BAD from lag_crit_s. lim NULL: the
 * defaults. */
enum health_level health_lag(double lag_s, const struct health_limits *lim);

/* The channel as a whole, the worst of:
 *   HEALTH_BAD   its status cannot be read; a thread is stopped (No); an IO or SQL error is
 *                set; the lag is at or over lag_crit_s
 *   HEALTH_WARN  a thread is not running yet (Connecting) or its state is unknown; the lag
 *                is unknown, or at or over lag_warn_s
 *   HEALTH_OK    both threads run and the lag is under lag_warn_s
 * Never HEALTH_UNKNOWN: a channel nobody has read yet is not known to be fine. why (n bytes,
 * may be NULL) gets the reason in words, the worst first: "SQL thread stopped, error 1062:
 * Duplicate entry ...", "lag 75 s, at or over the warning threshold of 60 s
 * (lagWarnSeconds)", "running, lag 0.4 s". lim NULL: the defaults. */
enum health_level health_channel(const struct m_channel *ch, const struct health_limits *lim,
                                 char *why, size_t n);

/* "ok", "warning", "broken", "unknown". Static. */
const char *health_level_name(enum health_level h);

#endif
