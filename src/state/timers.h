/*
 * timers.h - an operator's timers: (time, key) pairs that fire in time
 * order when the operator's watermark (event time) or the job's clock
 * (processing time) passes them.
 *
 * A timer is a time in microseconds and a key (bytes the operator chose,
 * usually the encoded key of the state the timer is about).  Timers fire
 * in time order, and in registration order within one time.  The same
 * pair registered twice fires twice: an operator registers once per key
 * and state change (a key's first row, a window's first group row) or
 * looks its key up when the timer fires and finds nothing the second time.
 *
 * Layout: timers of one time share a bucket (their keys back to back in
 * one buffer), and a binary heap orders the distinct times, so the many
 * timers of one window end cost an append each, and the heap works once
 * per time.  Free of object pointers: a snapshot writes each bucket's time
 * and keys; splitting by key hash splits the keys.
 */
#ifndef WEIR_STATE_TIMERS_H
#define WEIR_STATE_TIMERS_H

#include "base/base.h"

typedef struct TimerService TimerService;

TimerService *st_timers_new(void);
void st_timers_free(TimerService *timers);
void st_timers_register(TimerService *timers, int64_t time, const void *key, uint32_t key_len);
/* Pops the earliest timer with time <= until into *time and *key (valid
 * until the next call on the service) and returns true; false when there
 * is none. */
bool st_timers_pop(TimerService *timers, int64_t until, int64_t *time, const uint8_t **key,
                   uint32_t *key_len);
/* The earliest timer's time, INT64_MAX when there is none. */
int64_t st_timers_next(TimerService *timers);
int64_t st_timers_count(const TimerService *timers);
int64_t st_timers_bytes(const TimerService *timers);

#endif
