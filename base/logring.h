/* logring: the last lines of a log, bounded in memory. Bytes go in as they arrive (chunks
 * cut anywhere, a line split across several), come out as whole lines, oldest first. Two
 * budgets hold: at most max_lines lines and max_bytes bytes of line text; the oldest lines
 * go first, and how many went is counted so a reader can say so. A line longer than
 * LOGRING_LINE_MAX is kept cut there (the rest of it dropped, the line marked cut).
 *
 * Each completed line is neutralised before it is stored: terminal escape sequences (CSI
 * "ESC [ ... final", OSC "ESC ] ... BEL or ESC \", DCS/APC/PM/SOS strings and two-byte
 * "ESC x") are removed, other C0 controls, DEL and the C1 controls (U+0080..U+009F as UTF-8)
 * become '?', a trailing CR goes, tabs become spaces to the next multiple of 8 characters
 * (Envoy's and Istio's logs are tab-separated); other text stays. A log line can hold
 * anything a container printed: none of it may reach a terminal as a command.
 *
 * Pure memory, no I/O; not thread-safe (one owner). */
#ifndef PXC_BASE_LOGRING_H
#define PXC_BASE_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define LOGRING_LINE_MAX 4096u

struct logring;

/* Owned (logring_free). max_lines >= 1 and max_bytes >= LOGRING_LINE_MAX. */
struct logring *logring_new(size_t max_lines, size_t max_bytes);
void logring_free(struct logring *r); /* NULL does nothing */

/* Append data[0..len): every '\n' completes a line; what follows the last one waits for
 * the next write (or logring_flush). */
void logring_write(struct logring *r, const char *data, size_t len);
/* Complete the waiting partial line, if any (the stream ended without a newline). */
void logring_flush(struct logring *r);
/* Add a whole line of pxcmesh's own (a reconnect, a gap), marked as a note; neutralised too.
 * A waiting partial line is completed first. */
void logring_note(struct logring *r, const char *text);
/* Forget every line (the counters of dropped and added lines stay). */
void logring_clear(struct logring *r);

size_t logring_count(const struct logring *r);     /* lines held */
size_t logring_bytes(const struct logring *r);     /* bytes of line text held */
uint64_t logring_dropped(const struct logring *r); /* lines dropped for the budgets */
/* Lines ever completed (held or dropped): the number of the newest line, so a reader sees
 * what is new since it last looked, and line i held has the number seq - count + 1 + i. */
uint64_t logring_seq(const struct logring *r);

/* Line i (0: the oldest held), NUL-terminated, borrowed until the next write, note, flush
 * or clear. *len, *cut (line was longer than LOGRING_LINE_MAX) and *note may be NULL. */
const char *logring_line(const struct logring *r, size_t i, size_t *len, bool *cut, bool *note);

/* The neutralisation above, of one line in[0..len), appended to out. Pure. */
void logring_clean(const char *in, size_t len, struct strbuf *out);

#endif
