/* spark: lag history as sparklines. Buckets keep the maximum, never the mean, because the
 * question an operator asks of a lag graph is "how bad did it get". Unknown samples (the
 * SQL thread stopped, the server unreachable) are gaps rather than zeros, so a dead replica
 * never looks like a healthy one. */
#include "spark.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xmalloc.h"
#include "wtext.h"

void
spark_bucket(const float *vals, size_t n, int w, float *out)
{
    if (w <= 0)
        return;
    for (int i = 0; i < w; i++)
        out[i] = -1;
    if (n == 0)
        return;
    if (n <= (size_t)w) {
        size_t off = (size_t)w - n;
        for (size_t i = 0; i < n; i++)
            out[off + i] = vals[i] < 0 || isnan(vals[i]) ? -1 : vals[i];
        return;
    }
    for (int i = 0; i < w; i++) {
        size_t a = (size_t)i * n / (size_t)w, b = (size_t)(i + 1) * n / (size_t)w;
        float m = -1;
        for (size_t k = a; k < b; k++)
            if (vals[k] >= 0 && vals[k] > m)
                m = vals[k];
        out[i] = m;
    }
}

int
spark_level(float v, float max)
{
    if (v < 0 || isnan(v))
        return -1;
    if (max <= 0)
        return 0;
    if (v >= max)
        return 7;
    /* Eight equal bands; (0, max/8] is the floor. */
    int l = (int)ceilf(v / max * 8.0f) - 1;
    return l < 0 ? 0 : l > 7 ? 7 : l;
}

enum th_elem
spark_elem(float v, const struct spark_opts *o)
{
    if (v < 0 || !o)
        return TH_SPARK;
    if (o->crit > 0 && v >= o->crit)
        return TH_SPARK_BAD;
    if (o->warn > 0 && v >= o->warn)
        return TH_SPARK_WARN;
    return TH_SPARK;
}

float
spark_scale(const float *vals, size_t n, const struct spark_opts *o)
{
    if (o && o->max > 0)
        return o->max;
    float m = 0;
    for (size_t i = 0; i < n; i++)
        if (vals[i] > m)
            m = vals[i];
    return m;
}

void
spark_draw(WINDOW *win, int y, int x, int w, const float *vals, size_t n,
           const struct spark_opts *o, const struct theme *th, const struct glyphs *g)
{
    if (w <= 0)
        return;
    float *b = xmalloc((size_t)w * sizeof *b);
    spark_bucket(vals, n, w, b);
    float max = spark_scale(b, (size_t)w, o);
    for (int i = 0; i < w; i++) {
        int l = spark_level(b[i], max);
        wtext_print(win, y, x + i, 1, glyph_spark(g, l), theme_attr(th, spark_elem(b[i], o)),
                    g->ascii);
    }
    free(b);
}

void
spark_graph_heights(const float *bucketed, int w, float max, int h, int *out)
{
    for (int i = 0; i < w; i++) {
        float v = bucketed[i];
        if (v < 0 || isnan(v)) {
            out[i] = -1;
        } else if (max <= 0) {
            out[i] = 0;
        } else {
            float f = v >= max ? 1.0f : v / max;
            int e = (int)lroundf(f * (float)(h * 8));
            /* A non-zero value is never drawn as nothing. */
            if (e == 0 && v > 0)
                e = 1;
            out[i] = e;
        }
    }
}

void
spark_axis_label(float max, const char *unit, char *buf, size_t n)
{
    if (!unit)
        unit = "";
    if (max >= 100 || max == (float)(long)max)
        snprintf(buf, n, "%ld%s", lroundf(max), unit);
    else
        snprintf(buf, n, "%.1f%s", (double)max, unit);
}

void
spark_graph_draw(WINDOW *win, int y, int x, int h, int w, const float *vals, size_t n,
                 const struct spark_opts *o, const char *unit, const struct theme *th,
                 const struct glyphs *g)
{
    if (h <= 0 || w <= 0)
        return;
    char top[32], zero[32];
    float max = spark_scale(vals, n, o);
    spark_axis_label(max, unit, top, sizeof top);
    spark_axis_label(0, unit, zero, sizeof zero);
    int aw = wtext_width(top, g->ascii);
    if (wtext_width(zero, g->ascii) > aw)
        aw = wtext_width(zero, g->ascii);
    attr_t axa = theme_attr(th, TH_SPARK_AXIS);
    int gw = w - aw - 1;
    if (gw < 1) {
        aw = 0;
        gw = w;
    }
    for (int r = 0; r < h; r++) {
        if (aw) {
            const char *lab = r == 0 ? top : r == h - 1 ? zero : "";
            wtext_draw(win, y + r, x, aw, lab, axa, WTEXT_RIGHT, g->ascii);
            wtext_print(win, y + r, x + aw, 1, glyph(g, G_VLINE), axa, g->ascii);
        }
    }
    float *b = xmalloc((size_t)gw * sizeof *b);
    int *ht = xmalloc((size_t)gw * sizeof *ht);
    spark_bucket(vals, n, gw, b);
    spark_graph_heights(b, gw, max, h, ht);
    int gx = x + (aw ? aw + 1 : 0);
    for (int i = 0; i < gw; i++) {
        attr_t a = theme_attr(th, spark_elem(b[i], o));
        for (int r = 0; r < h; r++) {
            int row_from_bottom = h - 1 - r;
            int fill = ht[i] - row_from_bottom * 8; /* eighths in this cell */
            const char *s;
            if (ht[i] < 0)
                s = glyph(g, G_SPARK_GAP);
            else if (ht[i] == 0)
                s = r == h - 1 ? glyph(g, G_SPARK0) : " "; /* zero: a floor, not a gap */
            else if (fill >= 8)
                s = glyph(g, G_SPARK7);
            else if (fill <= 0)
                s = " ";
            else
                s = glyph_spark(g, fill - 1);
            wtext_print(win, y + r, gx + i, 1, s, a, g->ascii);
        }
    }
    free(b);
    free(ht);
}
