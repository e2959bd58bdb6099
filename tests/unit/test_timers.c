/*
 * test_timers.c - the timer service (state/timers.h): time order,
 * registration order within a time, timers registered while draining,
 * next(), and a large random workload against a sorted reference.
 */
#include "check.h"

#include "state/timers.h"

static TimerService *ts;

static bool pop(int64_t until, int64_t *time, char *key)
{
    const uint8_t *k;
    uint32_t len;
    if (!st_timers_pop(ts, until, time, &k, &len)) return false;
    memcpy(key, k, len);
    key[len] = 0;
    return true;
}

static void test_order(void)
{
    ts = st_timers_new();
    st_timers_register(ts, 30, "c", 1);
    st_timers_register(ts, 10, "a", 1);
    st_timers_register(ts, 20, "b1", 2);
    st_timers_register(ts, 20, "b2", 2);
    st_timers_register(ts, 10, "a2", 2);
    CHECK(st_timers_count(ts) == 5);
    CHECK(st_timers_next(ts) == 10);
    int64_t t;
    char k[16];
    CHECK(pop(15, &t, k) && t == 10 && strcmp(k, "a") == 0);
    CHECK(pop(15, &t, k) && t == 10 && strcmp(k, "a2") == 0);
    CHECK(!pop(15, &t, k));
    CHECK(st_timers_next(ts) == 20);
    CHECK(pop(100, &t, k) && t == 20 && strcmp(k, "b1") == 0);
    /* registered while its time drains: fires after the others */
    st_timers_register(ts, 20, "b3", 2);
    st_timers_register(ts, 5, "early", 5);
    CHECK(pop(100, &t, k) && t == 20 && strcmp(k, "b2") == 0);
    CHECK(pop(100, &t, k) && t == 5 && strcmp(k, "early") == 0);
    CHECK(pop(100, &t, k) && t == 20 && strcmp(k, "b3") == 0);
    CHECK(pop(100, &t, k) && t == 30 && strcmp(k, "c") == 0);
    CHECK(!pop(INT64_MAX, &t, k));
    CHECK(st_timers_count(ts) == 0 && st_timers_next(ts) == INT64_MAX);
    st_timers_free(ts);
}

static void test_random(void)
{
    enum { N = 20000 };
    static int64_t times[N];
    ts = st_timers_new();
    WbRand rng;
    wb_rand_seed(&rng, 7);
    for (int i = 0; i < N; i++) {
        times[i] = (int64_t)wb_rand_below(&rng, 500);
        char key[16];
        int len = snprintf(key, sizeof key, "%d", i);
        st_timers_register(ts, times[i], key, (uint32_t)len);
    }
    int64_t last_time = INT64_MIN, last_id = -1, popped = 0, t;
    char k[16];
    bool ordered = true;
    for (int64_t until = 0; until <= 500 + 37; until += 37) {
        while (pop(until, &t, k)) {
            int64_t id = atoll(k);
            if (t < last_time || (t == last_time && id < last_id) || times[id] != t || t > until)
                ordered = false;
            last_time = t;
            last_id = id;
            popped++;
        }
    }
    CHECK(ordered);
    CHECK(popped == N);
    st_timers_free(ts);
}

int main(void)
{
    RUN(test_order);
    RUN(test_random);
    return check_done();
}
