/*
 * eval_time.c - date and time: DATE/TIMESTAMP/INTERVAL arithmetic, EXTRACT,
 * FLOOR/CEIL to a unit, TIMESTAMPADD/TIMESTAMPDIFF, and the text functions
 * DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, FROM_UNIXTIME with
 * Java SimpleDateFormat pattern letters.
 *
 * TIMESTAMP has no time zone; the session zone of the epoch conversions
 * (UNIX_TIMESTAMP, FROM_UNIXTIME) is UTC.
 */
#include "exec/eval_int.h"

#include <stdio.h>
#include <string.h>

#define MICROS_PER_MS 1000LL
#define MICROS_PER_SEC 1000000LL
#define MICROS_PER_MIN (60 * MICROS_PER_SEC)
#define MICROS_PER_HOUR (60 * MICROS_PER_MIN)

static int out_of_range(EvalCtx *cx, const Expr *e)
{
    return ev_error(cx, e, "22008", "date/time value out of range");
}

static int days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Adds months to a day number, clamping the day to the month's length
 * (Jan 31 + 1 month = Feb 29 in a leap year), as Flink and PostgreSQL do. */
static int64_t add_months_days(int64_t days, int64_t months)
{
    int64_t year;
    int month, day;
    ty_civil_from_days(days, &year, &month, &day);
    int64_t total = year * 12 + (month - 1) + months;
    int64_t ny = ev_floor_div(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    int dim = days_in_month(ny, nm);
    return ty_days_from_civil(ny, nm, day > dim ? dim : day);
}

static int64_t add_months_micros(int64_t micros, int64_t months)
{
    int64_t days = ev_floor_div(micros, EV_MICROS_PER_DAY);
    int64_t tod = micros - days * EV_MICROS_PER_DAY;
    return add_months_days(days, months) * EV_MICROS_PER_DAY + tod;
}

/* ---- arithmetic ---- */

int ev_time_arith(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    ColumnVector a, b;
    FuncId fn = (FuncId)e->fn;
    if (ev_arg(cx, e->args[0], sel, n, &a)) return -1;
    if (fn == FN_NEG) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            out->nulls[r] = a.nulls[r];
            if (a.nulls[r]) continue;
            if (a.i64[r] == INT64_MIN) return out_of_range(cx, e);
            out->i64[r] = -a.i64[r];
        }
        return 0;
    }
    if (ev_arg(cx, e->args[1], sel, n, &b)) return -1;
    TypeId ta = (TypeId)e->args[0]->type.id, tb = (TypeId)e->args[1]->type.id;
    int64_t sign = fn == FN_SUB ? -1 : 1;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a.nulls[r] | b.nulls[r];
    }
    /* One loop per combination; the combination is chosen once. */
    if (ta == TY_TIMESTAMP && tb == TY_INTERVAL_DT) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            int64_t delta, v;
            if (__builtin_mul_overflow(b.i64[r], sign * MICROS_PER_MS, &delta) ||
                __builtin_add_overflow(a.i64[r], delta, &v))
                return out_of_range(cx, e);
            out->i64[r] = v;
        }
    } else if (ta == TY_DATE && tb == TY_INTERVAL_DT) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            out->i64[r] = a.i64[r] + sign * ev_floor_div(b.i64[r], 86400000);
        }
    } else if (ta == TY_DATE && tb == TY_INTERVAL_YM) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (b.i64[r] > 1200000 || b.i64[r] < -1200000) return out_of_range(cx, e);
            out->i64[r] = add_months_days(a.i64[r], sign * b.i64[r]);
        }
    } else if (ta == TY_TIMESTAMP && tb == TY_INTERVAL_YM) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (b.i64[r] > 1200000 || b.i64[r] < -1200000) return out_of_range(cx, e);
            out->i64[r] = add_months_micros(a.i64[r], sign * b.i64[r]);
        }
    } else if (ta == TY_DATE && tb == TY_DATE) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            int64_t d = a.i64[r] - b.i64[r];
            if (d > INT32_MAX || d < INT32_MIN) return out_of_range(cx, e);
            out->i64[r] = d;
        }
    } else if (ta == TY_TIMESTAMP && tb == TY_TIMESTAMP) {
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            int64_t d;
            if (__builtin_sub_overflow(a.i64[r], b.i64[r], &d)) return out_of_range(cx, e);
            out->i64[r] = d / MICROS_PER_MS;
        }
    } else if (ta == tb) {   /* interval +/- interval */
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            int64_t v;
            if (__builtin_add_overflow(a.i64[r], sign * b.i64[r], &v)) return out_of_range(cx, e);
            out->i64[r] = v;
        }
    } else if (fn == FN_MUL || fn == FN_DIV) {   /* interval * or / BIGINT */
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (fn == FN_DIV) {
                if (b.i64[r] == 0) return ev_error(cx, e, WB_SQLSTATE_DIV_ZERO, "division by zero");
                out->i64[r] = b.i64[r] == -1 ? -a.i64[r] : a.i64[r] / b.i64[r];
            } else if (__builtin_mul_overflow(a.i64[r], b.i64[r], &out->i64[r])) {
                return out_of_range(cx, e);
            }
        }
    } else {
        return ev_error(cx, e, WB_SQLSTATE_FEATURE, "unsupported date/time arithmetic");
    }
    return 0;
}

/* ---- EXTRACT ---- */

static int64_t iso_weekday(int64_t days)   /* Monday = 1 .. Sunday = 7 */
{
    int64_t m = (days + 3) % 7;   /* 1970-01-01 was a Thursday */
    return (m < 0 ? m + 7 : m) + 1;
}

static int64_t iso_week(int64_t days)
{
    int64_t thursday = days - iso_weekday(days) + 4;
    int64_t year;
    int month, day;
    ty_civil_from_days(thursday, &year, &month, &day);
    int64_t doy = thursday - ty_days_from_civil(year, 1, 1);
    return doy / 7 + 1;
}

static int64_t extract_micros(int unit, int64_t micros)
{
    int64_t days = ev_floor_div(micros, EV_MICROS_PER_DAY);
    int64_t tod = micros - days * EV_MICROS_PER_DAY;
    int64_t year;
    int month, day;
    ty_civil_from_days(days, &year, &month, &day);
    switch ((TimeUnit)unit) {
    case TU_YEAR: return year;
    case TU_QUARTER: return (month - 1) / 3 + 1;
    case TU_MONTH: return month;
    case TU_WEEK: return iso_week(days);
    case TU_DAY: return day;
    case TU_DOW: return iso_weekday(days) % 7 + 1;   /* Sunday = 1 (Flink/Calcite) */
    case TU_DOY: return days - ty_days_from_civil(year, 1, 1) + 1;
    case TU_HOUR: return tod / MICROS_PER_HOUR;
    case TU_MINUTE: return tod / MICROS_PER_MIN % 60;
    case TU_SECOND: return tod / MICROS_PER_SEC % 60;
    case TU_MILLISECOND: return tod % MICROS_PER_MIN / MICROS_PER_MS;   /* incl. seconds */
    case TU_MICROSECOND: return tod % MICROS_PER_MIN;
    case TU_EPOCH: return ev_floor_div(micros, MICROS_PER_SEC);
    }
    return 0;
}

static int64_t extract_interval(int unit, int64_t v, bool months)
{
    if (months) {
        switch ((TimeUnit)unit) {
        case TU_YEAR: return v / 12;
        case TU_MONTH: return v % 12;
        case TU_QUARTER: return v % 12 / 3 + 1;
        default: return 0;
        }
    }
    switch ((TimeUnit)unit) {
    case TU_DAY: return v / 86400000;
    case TU_HOUR: return v / 3600000 % 24;
    case TU_MINUTE: return v / 60000 % 60;
    case TU_SECOND: return v / 1000 % 60;
    case TU_MILLISECOND: return v % 60000;
    case TU_EPOCH: return v / 1000;
    default: return 0;
    }
}

/* ---- FLOOR / CEIL to a unit ---- */

static int64_t unit_micros(int unit)
{
    switch ((TimeUnit)unit) {
    case TU_MICROSECOND: return 1;
    case TU_MILLISECOND: return MICROS_PER_MS;
    case TU_SECOND: return MICROS_PER_SEC;
    case TU_MINUTE: return MICROS_PER_MIN;
    case TU_HOUR: return MICROS_PER_HOUR;
    case TU_DAY: return EV_MICROS_PER_DAY;
    case TU_WEEK: return 7 * EV_MICROS_PER_DAY;
    default: return 0;   /* calendar units */
    }
}

/* Floor of a day number to the start of its week/month/quarter/year.
 * Weeks start on Monday (ISO 8601). */
static int64_t floor_days(int unit, int64_t days)
{
    int64_t year;
    int month, day;
    switch ((TimeUnit)unit) {
    case TU_WEEK: return days - iso_weekday(days) + 1;
    case TU_MONTH:
        ty_civil_from_days(days, &year, &month, &day);
        return ty_days_from_civil(year, month, 1);
    case TU_QUARTER:
        ty_civil_from_days(days, &year, &month, &day);
        return ty_days_from_civil(year, (month - 1) / 3 * 3 + 1, 1);
    case TU_YEAR:
        ty_civil_from_days(days, &year, &month, &day);
        return ty_days_from_civil(year, 1, 1);
    default: return days;
    }
}

static int64_t next_days(int unit, int64_t floored)
{
    switch ((TimeUnit)unit) {
    case TU_WEEK: return floored + 7;
    case TU_MONTH: return add_months_days(floored, 1);
    case TU_QUARTER: return add_months_days(floored, 3);
    case TU_YEAR: return add_months_days(floored, 12);
    default: return floored + 1;
    }
}

static int64_t floor_ceil_micros(int unit, int64_t micros, bool ceil)
{
    int64_t fixed = unit == TU_WEEK ? 0 : unit_micros(unit);
    if (fixed) {
        int64_t f = ev_floor_div(micros, fixed) * fixed;
        return ceil && f != micros ? f + fixed : f;
    }
    int64_t days = ev_floor_div(micros, EV_MICROS_PER_DAY);
    int64_t fd = floor_days(unit, days);
    int64_t f = fd * EV_MICROS_PER_DAY;
    if (ceil && f != micros) f = next_days(unit, fd) * EV_MICROS_PER_DAY;
    return f;
}

/* ---- SimpleDateFormat patterns ---- */

static const char *month_names[12] = {"January", "February", "March", "April", "May", "June",
                                      "July", "August", "September", "October", "November",
                                      "December"};
static const char *day_names[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                   "Saturday", "Sunday"};

/* v zero-padded to width digits, without printf (DATE_FORMAT runs per row) */
static void put_num(WbBuf *out, int64_t v, int width)
{
    if (v < 0) { wb_buf_putc(out, '-'); v = -v; }
    char digits[24];
    int n = 0;
    uint64_t u = (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < (int)sizeof digits);
    if (width > 20) width = 20;
    wb_buf_reserve(out, (size_t)WB_MAX(n, width));
    for (int i = n; i < width; i++) out->data[out->len++] = '0';
    while (n > 0) out->data[out->len++] = digits[--n];
}

/* Formats micros with a pattern: y M d H h m s S a E D letters, text in
 * single quotes ('' is a quote), everything else copied. */
static void format_pattern(int64_t micros, const char *fmt, uint32_t flen, WbBuf *out)
{
    int64_t days = ev_floor_div(micros, EV_MICROS_PER_DAY);
    int64_t tod = micros - days * EV_MICROS_PER_DAY;
    int64_t year;
    int month, day;
    ty_civil_from_days(days, &year, &month, &day);
    uint32_t i = 0;
    while (i < flen) {
        char ch = fmt[i];
        if (ch == '\'') {
            if (i + 1 < flen && fmt[i + 1] == '\'') { wb_buf_putc(out, '\''); i += 2; continue; }
            i++;
            while (i < flen && !(fmt[i] == '\'' && !(i + 1 < flen && fmt[i + 1] == '\''))) {
                if (fmt[i] == '\'') i++;   /* doubled quote inside text */
                wb_buf_putc(out, fmt[i++]);
            }
            i++;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
            wb_buf_putc(out, ch);
            i++;
            continue;
        }
        int count = 0;
        while (i < flen && fmt[i] == ch) { count++; i++; }
        switch (ch) {
        case 'y':
        case 'u':
            if (count == 2) put_num(out, ((year % 100) + 100) % 100, 2);
            else put_num(out, year, count);
            break;
        case 'M':
        case 'L':
            if (count >= 4) wb_buf_puts(out, month_names[month - 1]);
            else if (count == 3) wb_buf_append(out, month_names[month - 1], 3);
            else put_num(out, month, count);
            break;
        case 'd': put_num(out, day, count); break;
        case 'D': put_num(out, days - ty_days_from_civil(year, 1, 1) + 1, count); break;
        case 'H': put_num(out, tod / MICROS_PER_HOUR, count); break;
        case 'k': put_num(out, tod / MICROS_PER_HOUR == 0 ? 24 : tod / MICROS_PER_HOUR, count); break;
        case 'h': {
            int64_t h = tod / MICROS_PER_HOUR % 12;
            put_num(out, h == 0 ? 12 : h, count);
            break;
        }
        case 'K': put_num(out, tod / MICROS_PER_HOUR % 12, count); break;
        case 'm': put_num(out, tod / MICROS_PER_MIN % 60, count); break;
        case 's': put_num(out, tod / MICROS_PER_SEC % 60, count); break;
        case 'S': {
            /* fraction of the second, `count` digits (SSS = milliseconds) */
            char digits[16];
            snprintf(digits, sizeof digits, "%06lld000", (long long)(tod % MICROS_PER_SEC));
            wb_buf_append(out, digits, (size_t)WB_MIN(count, 9));
            break;
        }
        case 'a': wb_buf_puts(out, tod < 12 * MICROS_PER_HOUR ? "AM" : "PM"); break;
        case 'E': {
            const char *name = day_names[iso_weekday(days) - 1];
            if (count >= 4) wb_buf_puts(out, name);
            else wb_buf_append(out, name, 3);
            break;
        }
        default:
            /* unknown letters are copied, like literal text */
            for (int c = 0; c < count; c++) wb_buf_putc(out, ch);
            break;
        }
    }
}

static bool read_digits(const char *s, uint32_t len, uint32_t *pos, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int nd = 0;
    while (*pos < len && nd < max && s[*pos] >= '0' && s[*pos] <= '9') {
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
        nd++;
    }
    *out = v;
    return nd >= min;
}

/* Parses text with a pattern into micros; -1 if it does not match. */
static int parse_pattern(const char *s, uint32_t len, const char *fmt, uint32_t flen,
                         int64_t *micros)
{
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, frac = 0;
    bool pm = false, has_ampm = false;
    uint32_t i = 0, pos = 0;
    while (i < flen) {
        char ch = fmt[i];
        if (ch == '\'') {
            i++;
            while (i < flen && fmt[i] != '\'') {
                if (pos >= len || s[pos] != fmt[i]) return -1;
                pos++;
                i++;
            }
            i++;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
            if (pos >= len || s[pos] != ch) return -1;
            pos++;
            i++;
            continue;
        }
        int count = 0;
        while (i < flen && fmt[i] == ch) { count++; i++; }
        /* A field followed directly by another field reads exactly `count`
         * digits ("yyyyMMdd"); otherwise it reads as many as it can. */
        bool adjacent = i < flen && ((fmt[i] >= 'a' && fmt[i] <= 'z') ||
                                     (fmt[i] >= 'A' && fmt[i] <= 'Z'));
        int max = adjacent ? count : 9;
        int64_t v;
        switch (ch) {
        case 'y':
        case 'u':
            if (!read_digits(s, len, &pos, 1, adjacent ? count : 6, &v)) return -1;
            year = count == 2 && v < 100 ? 2000 + v : v;
            break;
        case 'M':
            if (!read_digits(s, len, &pos, 1, WB_MIN(max, 2), &month)) return -1;
            break;
        case 'd': if (!read_digits(s, len, &pos, 1, WB_MIN(max, 2), &day)) return -1; break;
        case 'H':
        case 'h':
        case 'k':
        case 'K':
            if (!read_digits(s, len, &pos, 1, WB_MIN(max, 2), &hour)) return -1;
            if (ch == 'k' && hour == 24) hour = 0;
            if (ch == 'h' && hour == 12) hour = 0;
            break;
        case 'm': if (!read_digits(s, len, &pos, 1, WB_MIN(max, 2), &minute)) return -1; break;
        case 's': if (!read_digits(s, len, &pos, 1, WB_MIN(max, 2), &second)) return -1; break;
        case 'S': {
            uint32_t start = pos;
            if (!read_digits(s, len, &pos, 1, adjacent ? count : 9, &v)) return -1;
            int nd = (int)(pos - start);
            while (nd < 6) { v *= 10; nd++; }
            while (nd > 6) { v /= 10; nd--; }
            frac = v;
            break;
        }
        case 'a':
            if (pos + 2 > len) return -1;
            if (wb_ieq(s + pos, 2, "PM")) pm = true;
            else if (!wb_ieq(s + pos, 2, "AM")) return -1;
            has_ampm = true;
            pos += 2;
            break;
        default:
            return -1;
        }
    }
    while (pos < len && s[pos] == ' ') pos++;
    if (pos != len) return -1;
    if (has_ampm && pm) hour += 12;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, (int)month) ||
        hour > 23 || minute > 59 || second > 59)
        return -1;
    int64_t days = ty_days_from_civil(year, (int)month, (int)day);
    *micros = days * EV_MICROS_PER_DAY + hour * MICROS_PER_HOUR + minute * MICROS_PER_MIN +
              second * MICROS_PER_SEC + frac;
    return 0;
}

static const char default_ts_format[] = "yyyy-MM-dd HH:mm:ss";

/* ---- the functions ---- */

_Thread_local const Operator *ex_time_op;

/* NOW() and friends, CURRENT_WATERMARK(ts): the time of the operator
 * evaluating them (ex_time_op), in milliseconds as Flink's TIMESTAMP(3). */
static int ev_clock(const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    const Operator *op = ex_time_op;
    int64_t v;
    bool null = false;
    if (e->fn == FN_CURRENT_WATERMARK) {
        int64_t wm = op ? op->watermark : INT64_MIN;
        null = wm == INT64_MIN || wm >= INT64_MAX - 1;
        v = null ? 0 : ev_floor_div(wm, 1000) * 1000;
    } else {
        /* the clock of the operator evaluating (a constant: the system's) */
        int64_t now = wb_clock_now(op && op->ctx ? op->ctx->clock : NULL);
        if (e->aux == 1) {
            v = ev_floor_div(wb_tz_to_local(now), EV_MICROS_PER_DAY);
        } else if (e->aux == 2) {
            int64_t local = wb_tz_to_local(now);
            v = (local - ev_floor_div(local, EV_MICROS_PER_DAY) * EV_MICROS_PER_DAY) / 1000;
        } else if (e->aux == 3) {
            v = ev_floor_div(wb_tz_to_local(now), 1000) * 1000;
        } else {
            v = ev_floor_div(now, 1000) * 1000;
        }
    }
    for (int32_t k = 0; k < n; k++) {
        out->nulls[sel[k]] = null;
        out->i64[sel[k]] = null ? 0 : v;
    }
    return 0;
}

int ev_time(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    if (e->fn == FN_NOW || (e->fn == FN_CURRENT_WATERMARK && e->nargs == 1))
        return ev_clock(e, sel, n, out);
    FuncId fn = (FuncId)e->fn;
    ColumnVector args[3];
    for (int32_t i = 0; i < e->nargs && i < 3; i++)
        if (ev_arg(cx, e->args[i], sel, n, &args[i])) return -1;
    ColumnVector *a = &args[0], *b = &args[1];
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        uint8_t null = 0;
        for (int32_t i = 0; i < e->nargs && i < 3; i++) null |= args[i].nulls[r];
        out->nulls[r] = null;
    }
    int unit = e->aux;
    TypeId t0 = (TypeId)e->args[0]->type.id;
    WbBuf buf = {0};
    int status = 0;
#define EACH_ROW for (int32_t k = 0, r; k < n && (r = sel[k], 1); k++) if (!out->nulls[r])
    switch (fn) {
    case FN_EXTRACT:
        if (t0 == TY_INTERVAL_DT || t0 == TY_INTERVAL_YM) {
            bool months = t0 == TY_INTERVAL_YM;
            EACH_ROW out->i64[r] = extract_interval(unit, a->i64[r], months);
        } else {
            int64_t mul = t0 == TY_DATE ? EV_MICROS_PER_DAY : t0 == TY_TIME ? MICROS_PER_MS : 1;
            EACH_ROW {
                int64_t micros;
                if (__builtin_mul_overflow(a->i64[r], mul, &micros)) {
                    status = out_of_range(cx, e);
                    break;
                }
                out->i64[r] = extract_micros(unit, micros);
            }
        }
        break;
    case FN_FLOOR_TIME:
    case FN_CEIL_TIME: {
        bool ceil = fn == FN_CEIL_TIME;
        if (t0 == TY_DATE) {
            EACH_ROW {
                int64_t fd = floor_days(unit, a->i64[r]);
                out->i64[r] = ceil && fd != a->i64[r] ? next_days(unit, fd) : fd;
            }
        } else {
            EACH_ROW out->i64[r] = floor_ceil_micros(unit, a->i64[r], ceil);
        }
        break;
    }
    case FN_TIMESTAMPADD: {
        /* args: n, ts */
        TypeId tt = (TypeId)e->args[1]->type.id;
        int64_t fixed = unit_micros(unit);
        EACH_ROW {
            int64_t amount = a->i64[r], base = b->i64[r], v;
            if (unit == TU_MONTH || unit == TU_QUARTER || unit == TU_YEAR) {
                int64_t months = amount * (unit == TU_YEAR ? 12 : unit == TU_QUARTER ? 3 : 1);
                if (months > 1200000 || months < -1200000) { status = out_of_range(cx, e); break; }
                v = tt == TY_DATE ? add_months_days(base, months) : add_months_micros(base, months);
            } else if (tt == TY_DATE) {
                int64_t ndays = unit == TU_WEEK ? 7 : 1;
                if (__builtin_mul_overflow(amount, ndays, &v) || __builtin_add_overflow(base, v, &v)) {
                    status = out_of_range(cx, e);
                    break;
                }
            } else if (__builtin_mul_overflow(amount, fixed, &v) ||
                       __builtin_add_overflow(base, v, &v)) {
                status = out_of_range(cx, e);
                break;
            }
            out->i64[r] = v;
        }
        break;
    }
    case FN_TIMESTAMPDIFF: {
        /* Whole units from a to b, truncated toward zero (Flink). */
        int64_t fixed = unit_micros(unit);
        EACH_ROW {
            int64_t from = a->i64[r], to = b->i64[r], v;
            if (fixed) {
                int64_t d;
                if (__builtin_sub_overflow(to, from, &d)) { status = out_of_range(cx, e); break; }
                v = d / fixed;
            } else {
                int64_t y1, y2;
                int m1, m2, d1, d2;
                ty_civil_from_days(ev_floor_div(from, EV_MICROS_PER_DAY), &y1, &m1, &d1);
                ty_civil_from_days(ev_floor_div(to, EV_MICROS_PER_DAY), &y2, &m2, &d2);
                int64_t months = (y2 * 12 + m2) - (y1 * 12 + m1);
                if (months > 0 && add_months_micros(from, months) > to) months--;
                if (months < 0 && add_months_micros(from, months) < to) months++;
                v = unit == TU_YEAR ? months / 12 : unit == TU_QUARTER ? months / 3 : months;
            }
            if (v > INT32_MAX || v < INT32_MIN) {
                status = ev_error(cx, e, WB_SQLSTATE_OVERFLOW, "integer out of range");
                break;
            }
            out->i64[r] = v;
        }
        break;
    }
    case FN_DATE_FORMAT:
        EACH_ROW {
            wb_buf_clear(&buf);
            format_pattern(a->i64[r], b->str[r].ptr, b->str[r].len, &buf);
            out->str[r] = ev_str(cx, buf.data, buf.len);
        }
        break;
    case FN_FROM_UNIXTIME:
        EACH_ROW {
            int64_t secs = a->i64[r];
            if (secs > 253402300799LL || secs < -62135596800LL) { status = out_of_range(cx, e); break; }
            wb_buf_clear(&buf);
            if (e->nargs > 1)
                format_pattern(secs * MICROS_PER_SEC, b->str[r].ptr, b->str[r].len, &buf);
            else
                format_pattern(secs * MICROS_PER_SEC, default_ts_format,
                               sizeof default_ts_format - 1, &buf);
            out->str[r] = ev_str(cx, buf.data, buf.len);
        }
        break;
    case FN_TO_TIMESTAMP:
    case FN_TO_DATE:
    case FN_UNIX_TIMESTAMP:
        /* Text that does not match the format gives NULL (Flink). */
        EACH_ROW {
            int64_t micros;
            int rc;
            WbStr s = a->str[r];
            if (e->nargs > 1) {
                rc = parse_pattern(s.ptr, s.len, b->str[r].ptr, b->str[r].len, &micros);
            } else if (fn == FN_TO_DATE) {
                rc = ty_parse_date(s.ptr, s.len, &micros);
                micros *= EV_MICROS_PER_DAY;
            } else {
                rc = ty_parse_timestamp(s.ptr, s.len, &micros);
            }
            if (rc != 0) { out->nulls[r] = 1; continue; }
            if (fn == FN_TO_DATE) out->i64[r] = ev_floor_div(micros, EV_MICROS_PER_DAY);
            else if (fn == FN_TO_TIMESTAMP) out->i64[r] = ev_floor_div(micros, 1000) * 1000;
            else out->i64[r] = ev_floor_div(micros, MICROS_PER_SEC);
        }
        break;
    default:
        status = ev_error(cx, e, WB_SQLSTATE_FEATURE, "function %s cannot be evaluated",
                          sql_func_name(fn));
        break;
    }
#undef EACH_ROW
    wb_buf_free(&buf);
    return status;
}
