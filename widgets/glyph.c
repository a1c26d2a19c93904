/* glyph: the two glyph sets and the choice between them. A table, not code: adding a
 * glyph is one GLYPH_TABLE row with both variants, so ASCII terminals never get a hole. */
#include "glyph.h"

#include <langinfo.h>
#include <strings.h>

static const char *const glyph_utf8[G__COUNT] = {
#define XX(name, u, a) [G_##name] = u,
    GLYPH_TABLE(XX)
#undef XX
};

static const char *const glyph_ascii[G__COUNT] = {
#define XX(name, u, a) [G_##name] = a,
    GLYPH_TABLE(XX)
#undef XX
};

bool
glyphs_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

void
glyphs_init(struct glyphs *g, bool ascii)
{
    g->ascii = ascii;
    for (int i = 0; i < G__COUNT; i++)
        g->s[i] = ascii ? glyph_ascii[i] : glyph_utf8[i];
}

const char *
glyph_spark(const struct glyphs *g, int level)
{
    if (level < 0)
        return g->s[G_SPARK_GAP];
    if (level > 7)
        level = 7;
    return g->s[G_SPARK0 + level];
}
