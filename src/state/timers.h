/*
 * timers.h - an operator's timers: (time, key) pairs that fire in time
 * order when the operator's watermark (event time) or the job's clock
 * (processing time) passes them.
 *
 * A timer is a time in microseconds and a key (bytes the operator chose,
 * usually the encoded key of the state the timer is about).  Registering
 * a pair that is already registered keeps one; deleting a pair that is
 * not registered does nothing.  Timers fire in (time, registration) order.
 *
 * Free of pointers: a min-heap of (time, sequence, offset, length) records
 * over one byte buffer of keys, plus a StateTable of the live pairs, so a
 * snapshot writes the pairs and a restore registers them again; splitting
 * by key hash is splitting the pairs.  Deleted timers stay in the heap
 * until they reach its top (lazy deletion); the key buffer is compacted
 * when dead bytes outweigh live ones.
 */
#ifndef WEIR_STATE_TIMERS_H
#define WEIR_STATE_TIMERS_H

#include "base/base.h"

typedef struct TimerService TimerService;

TimerService *st_timers_new(void);
void st_timers_free(TimerService *timers);
void st_timers_register(TimerService *timers, int64_t time, const void *key, uint32_t key_len);
void st_timers_delete(TimerService *timers, int64_t time, const void *key, uint32_t key_len);
/* Pops the earliest live timer with time <= until into *time and *key
 * (valid until the next call on the service) and returns true; false when
 * there is none. */
bool st_timers_pop(TimerService *timers, int64_t until, int64_t *time, const uint8_t **key,
                   uint32_t *key_len);
/* The earliest live timer's time, INT64_MAX when there is none. */
int64_t st_timers_next(TimerService *timers);
int64_t st_timers_count(const TimerService *timers);
int64_t st_timers_bytes(const TimerService *timers);

#endif
