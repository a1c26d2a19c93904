/* log: a line-oriented debug log to a file. Nothing may reach the terminal while
 * curses owns it, so backends log here instead of stderr. With no file opened the
 * calls cost one branch. */
#ifndef PXC_BASE_LOG_H
#define PXC_BASE_LOG_H

#include "pxerr.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Open (append) path as the sink; NULL closes it. Call before the loop starts. */
int log_open(const char *path, enum log_level min, struct pxerr *err) PXC_MUST_CHECK;
void log_close(void);
void log_msg(enum log_level lv, const char *fmt, ...) PXC_PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
