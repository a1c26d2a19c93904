/* strbuf: a growable, always NUL-terminated string. Unlike sds the handle is a struct
 * and never moves; strbuf_detach() hands the buffer to the caller. */
#ifndef PXC_BASE_STRBUF_H
#define PXC_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "pxerr.h"

struct strbuf {
    char *s;    /* read-only: always valid and NUL-terminated after init ("" owns nothing) */
    size_t len; /* read-only */
    size_t cap; /* private */
};

void strbuf_init(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb); /* len = 0, keeps the memory */
void strbuf_append(struct strbuf *sb, const char *s);
void strbuf_appendn(struct strbuf *sb, const char *s, size_t n);
void strbuf_appendc(struct strbuf *sb, char c);
void strbuf_appendf(struct strbuf *sb, const char *fmt, ...) PXC_PRINTF(2, 3);
void strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap) PXC_PRINTF(2, 0);
/* Make room for n more bytes at once (a body of known length): no doubling on the way. */
void strbuf_reserve(struct strbuf *sb, size_t n);
/* Drop the first n bytes (a consumed prefix of a stream buffer). */
void strbuf_consume(struct strbuf *sb, size_t n);
/* The text, owned by the caller. sb is left empty, owning nothing, and reusable;
 * strbuf_fini on it is harmless but not needed. */
char *strbuf_detach(struct strbuf *sb);

#endif
