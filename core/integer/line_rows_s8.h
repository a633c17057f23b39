/* A line buffer of int8 map rows, as the linebuffer schedule keeps each map
 * (core/profile/line_buffer.h): rows [lo, hi) held consecutively, oldest
 * first, so that a convolution's window of kernel_h rows is one contiguous
 * block. When a new row comes, the rows no reader needs any more are dropped
 * and the rest move down. Rows above and below the map that a padded
 * convolution reads are stored as rows of the padding value (the int8 zero
 * point its readers take the map at). The desktop int8 engine
 * (quant/int8_line_buffer.cpp) and the generated firmware keep their maps in
 * these. Portable C11, no allocation: the caller gives `data`, capacity *
 * row_bytes bytes, the capacity found by the plan.
 *
 *   rp_line_rows_s8 s = {buffer, row_bytes, capacity, -pad_top, 0, zero_point};
 *   rp_line_rows_s8_pad(&s, -pad_top, pad_top);          the rows above the map
 *   rp_line_rows_s8_drop(&s, keep_from);                  before a new row
 *   make_row(rp_line_rows_s8_row(&s, s.hi)); s.hi += 1;
 */
#ifndef RNNPOOL_INTEGER_LINE_ROWS_S8_H
#define RNNPOOL_INTEGER_LINE_ROWS_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int8_t* data;      /* capacity * row_bytes bytes; row lo at data */
    int32_t row_bytes; /* width * channels */
    int32_t capacity;  /* rows the buffer can hold */
    int32_t lo, hi;    /* rows [lo, hi) held; lo may be negative (padding rows above the map) */
    int8_t pad_value;  /* what padding rows hold */
} rp_line_rows_s8;

/* Where row y is (or goes, for y == hi). */
static inline int8_t* rp_line_rows_s8_row(const rp_line_rows_s8* s, int32_t y)
{
    return s->data + (y - s->lo) * s->row_bytes;
}

/* Drops the rows below keep_from; the rest move down to the start. */
void rp_line_rows_s8_drop(rp_line_rows_s8* s, int32_t keep_from);

/* Fills rows from .. from + count - 1 (their slots) with the padding value. */
void rp_line_rows_s8_pad(const rp_line_rows_s8* s, int32_t from, int32_t count);

#ifdef __cplusplus
}
#endif

#endif
