/* spark: sparklines for lag history. Values (oldest first) are bucketed into the columns
 * available, each bucket showing its maximum (a lag spike must never be averaged away);
 * negative values are "unknown" and show as a gap. Levels 0..7 map to ▁..█ (or .:-=+*#@).
 * Each column takes spark / spark.warn / spark.bad by thresholds so lag shows its colour.
 * spark_graph draws the same data H rows high with axis labels, for the channel detail.
 * The bucketing is pure and tested; the draw calls are thin. Loop thread for drawing. */
#ifndef PXC_WIDGETS_SPARK_H
#define PXC_WIDGETS_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "glyph.h"
#include "theme.h"

struct spark_opts {
    float max;  /* scale top; <= 0: the largest value shown (auto) */
    float warn; /* a column >= warn is spark.warn; <= 0: no threshold */
    float crit; /* a column >= crit is spark.bad; <= 0: no threshold */
};

/* Bucket vals[0..n) into w columns: out[i] is the maximum of bucket i, or -1 when every
 * value in it is unknown (< 0). n > w: bucket i covers [i*n/w, (i+1)*n/w). n <= w: one value
 * per column, right-aligned (newest at the right edge), unused columns -1. */
void spark_bucket(const float *vals, size_t n, int w, float *out);
/* Level 0..7 of v on a 0..max scale: -1 when v < 0 (gap), 0 for v <= max/8 (the lowest
 * bar, so a zero lag still shows a floor), 7 for v >= max. max <= 0 gives 0. */
int spark_level(float v, float max);
/* The element for a column value by opts' thresholds (TH_SPARK for gaps). */
enum th_elem spark_elem(float v, const struct spark_opts *o);
/* The scale actually used for vals: o->max, or the largest known value. */
float spark_scale(const float *vals, size_t n, const struct spark_opts *o);

/* One line, w columns at (y, x). */
void spark_draw(WINDOW *win, int y, int x, int w, const float *vals, size_t n,
                const struct spark_opts *o, const struct theme *th, const struct glyphs *g);

/* Multi-row graph: column heights in eighths of a row, 0..h*8 (-1: gap), for h rows. */
void spark_graph_heights(const float *bucketed, int w, float max, int h, int *out);
/* Axis label text for the top ("120s") given the scale and a unit suffix. */
void spark_axis_label(float max, const char *unit, char *buf, size_t n);
/* Graph in the rectangle (y, x, h, w): a left axis (top label = scale, bottom "0") in
 * spark.axis, then the bars. unit: suffix for labels ("s"). */
void spark_graph_draw(WINDOW *win, int y, int x, int h, int w, const float *vals, size_t n,
                      const struct spark_opts *o, const char *unit, const struct theme *th,
                      const struct glyphs *g);

#endif
