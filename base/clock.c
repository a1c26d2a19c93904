/* clock: thin wrappers so tests and views agree on units, and the one RFC 3339 parser
 * (times before 1970 included: they are negative epoch ms). */
#include "clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

uint64_t
clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t
clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Epoch ms to whole seconds, rounding down: -500 ms is in the second 23:59:59 of 1969. */
static time_t
floor_s(int64_t wall_ms)
{
    int64_t s = wall_ms / 1000;
    if (wall_ms % 1000 < 0)
        s--;
    return (time_t)s;
}

void
clock_fmt_rfc3339(int64_t wall_ms, char *buf, size_t n)
{
    time_t t = floor_s(wall_ms);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* %Y would write year 1 as "1"; RFC 3339 years have four digits. */
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
clock_fmt_hms(int64_t wall_ms, char *buf, size_t n)
{
    time_t t = floor_s(wall_ms);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (negative before),
 * by Howard Hinnant's days_from_civil: exact for every year, with no time_t, no TZ and no
 * timegm(), whose -1 is both an error and 1969-12-31T23:59:59Z. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int
clock_parse_rfc3339(const char *s, int64_t *wall_ms)
{
    /* Fixed width, checked char by char, so that a short string never reads past its
     * end: "YYYY-MM-DDTHH:MM:SS" (RFC 3339 section 5.6). */
    static const char shape[] = "dddd-dd-ddThh:dd:dd";
    for (int i = 0; shape[i] != '\0'; i++) {
        if (shape[i] == 'd' || shape[i] == 'h') {
            if (s[i] < '0' || s[i] > '9')
                return -1;
        } else if (shape[i] == 'T') {
            if (s[i] != 'T' && s[i] != 't')
                return -1;
        } else if (s[i] != shape[i]) {
            return -1;
        }
    }
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    /* Second 60 is a leap second (RFC 3339 allows it); it counts as the next second. */
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    const char *p = s + 19;
    long ms = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                ms = ms * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (nd == 0)
            return -1;
        for (int i = nd; i < 3; i++)
            ms *= 10;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        /* Exactly "+hh:mm". */
        static const char oshape[] = "+dd:dd";
        for (int i = 1; i < 6; i++)
            if (oshape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != oshape[i])
                return -1;
        int hh = digits(p + 1, 2), mm = digits(p + 4, 2);
        if (hh > 23 || mm > 59)
            return -1;
        off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *wall_ms = (t - off) * 1000 + ms;
    return 0;
}

void
clock_fmt_age(int64_t age_ms, char *buf, size_t n)
{
    int64_t s = age_ms / 1000;
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, n, "%llds", (long long)s);
    else if (s < 120 * 60)
        snprintf(buf, n, "%lldm", (long long)(s / 60));
    else if (s < 48 * 3600)
        snprintf(buf, n, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, n, "%lldd", (long long)(s / 86400));
}
