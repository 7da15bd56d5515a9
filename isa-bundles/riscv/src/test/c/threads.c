/* POSIX threads: a mutex-protected counter and an atomic one, over 2 and 4 threads; join, TLS, condition variables. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <time.h>

#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long locked_count;
static long atomic_count;
static int ready;
static __thread long mine;

static void *work(void *arg) {
    long id = (long) arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        locked_count++;
        pthread_mutex_unlock(&lock);
        __atomic_fetch_add(&atomic_count, 1, __ATOMIC_SEQ_CST);
        mine += id;
    }
    pthread_mutex_lock(&lock);
    ready++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return (void *) (mine + 1);
}

static int run(int n) {
    pthread_t t[8];
    locked_count = atomic_count = 0;
    ready = 0;
    for (long i = 0; i < n; i++) {
        if (pthread_create(&t[i], NULL, work, (void *) (i + 1)) != 0) return 1;
    }
    pthread_mutex_lock(&lock);
    while (ready < n) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    long results = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        results += (long) r;
    }
    printf("%d threads: locked %ld atomic %ld results %ld main tls %ld\n", n, locked_count, atomic_count, results, mine);
    return locked_count == (long) n * ROUNDS && atomic_count == (long) n * ROUNDS ? 0 : 1;
}

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;

static void *sleeper(void *arg) {
    (void) arg;
    pthread_mutex_lock(&idle_lock);
    for (;;) pthread_cond_wait(&idle, &idle_lock);
    return NULL;
}

int main(void) {
    int bad = run(2) + run(4);
    /* A timed wait that nobody signals times out. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&idle_lock);
    int r = pthread_cond_timedwait(&idle, &idle_lock, &deadline);
    pthread_mutex_unlock(&idle_lock);
    printf("timed wait: %s\n", r == ETIMEDOUT ? "timed out" : "woken");
    /* Returning from main ends the process with a thread still waiting. */
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    return bad ? 1 : 0;
}
