#include "integer/line_rows_s8.h"

#include <string.h>

void rp_line_rows_s8_drop(rp_line_rows_s8* s, int32_t keep_from)
{
    const int32_t kept = s->hi > keep_from ? s->hi - keep_from : 0;
    if (kept > 0 && keep_from != s->lo)
        memmove(s->data, rp_line_rows_s8_row(s, keep_from), (size_t)kept * (size_t)s->row_bytes);
    s->lo = keep_from;
    s->hi = keep_from + kept;
}

void rp_line_rows_s8_pad(const rp_line_rows_s8* s, int32_t from, int32_t count)
{
    if (count > 0)
        memset(rp_line_rows_s8_row(s, from), s->pad_value, (size_t)count * (size_t)s->row_bytes);
}
