/* strbuf: append-only text building with amortised growth. */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "xmalloc.h"

/* An empty strbuf points here with cap 0 and owns nothing: init and detach allocate
 * nothing, so a detached or unused strbuf needs no fini. Never written: every write
 * goes through grow(), which allocates first when cap is 0. */
static char strbuf_empty[1];

static void
grow(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    if (sb->cap == 0) {
        sb->s = xmalloc(cap);
        sb->s[0] = '\0';
    } else {
        sb->s = xrealloc(sb->s, cap);
    }
    sb->cap = cap;
}

void
strbuf_reserve(struct strbuf *sb, size_t n)
{
    size_t need = sb->len + n + 1;
    if (need <= sb->cap)
        return;
    if (sb->cap == 0) {
        sb->s = xmalloc(need);
        sb->s[0] = '\0';
    } else {
        sb->s = xrealloc(sb->s, need);
    }
    sb->cap = need;
}

void
strbuf_init(struct strbuf *sb)
{
    sb->s = strbuf_empty;
    sb->len = sb->cap = 0;
}

void
strbuf_fini(struct strbuf *sb)
{
    if (sb->cap > 0)
        free(sb->s);
    strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->cap > 0)
        sb->s[0] = '\0';
}

void
strbuf_appendn(struct strbuf *sb, const char *s, size_t n)
{
    grow(sb, n);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void
strbuf_append(struct strbuf *sb, const char *s)
{
    strbuf_appendn(sb, s, strlen(s));
}

void
strbuf_appendc(struct strbuf *sb, char c)
{
    grow(sb, 1);
    sb->s[sb->len++] = c;
    sb->s[sb->len] = '\0';
}

void
strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    grow(sb, (size_t)n);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void
strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vappendf(sb, fmt, ap);
    va_end(ap);
}

void
strbuf_consume(struct strbuf *sb, size_t n)
{
    if (n >= sb->len) {
        strbuf_reset(sb);
        return;
    }
    if (n == 0)
        return;
    memmove(sb->s, sb->s + n, sb->len - n + 1);
    sb->len -= n;
}

char *
strbuf_detach(struct strbuf *sb)
{
    char *s = sb->cap > 0 ? sb->s : xstrdup("");
    strbuf_init(sb);
    return s;
}
