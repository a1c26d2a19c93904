/* clock: the two clocks the console uses. Monotonic milliseconds for deadlines, ages
 * and lag history; wall-clock seconds for what is shown and saved (snapshots, events). */
#ifndef PXC_BASE_CLOCK_H
#define PXC_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

uint64_t clock_mono_ms(void);
int64_t clock_wall_ms(void); /* since the epoch */
/* Format epoch ms as RFC 3339 UTC ("2026-11-25T08:00:00Z") into buf; negative ms are
 * before 1970. */
void clock_fmt_rfc3339(int64_t wall_ms, char *buf, size_t n);
/* The UTC time of day of epoch ms, "08:00:00", as the event log shows it. */
void clock_fmt_hms(int64_t wall_ms, char *buf, size_t n);
/* Parse RFC 3339 ("YYYY-MM-DDTHH:MM:SS", optional fraction, "Z" or "+hh:mm"; years 0000 to
 * 9999, so before 1970 too: *wall_ms is then negative). 0 on success, -1 (and *wall_ms
 * untouched) when s is not such a time. */
int clock_parse_rfc3339(const char *s, int64_t *wall_ms);
/* Compact age for tables: "4s", "12m", "3h", "9d". */
void clock_fmt_age(int64_t age_ms, char *buf, size_t n);

#endif
