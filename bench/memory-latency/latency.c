/* How long one read from memory takes on this machine, by the size of what is read: a
 * random cycle through SIZE bytes, each read's address taken from the one before (so the
 * processor cannot start the next before the last is back), 20 million reads timed.
 * With HUGE set, the block is advised onto 2 MiB pages (fewer address-translation misses).
 *
 *   cc -O2 -o /tmp/latency bench/memory-latency/latency.c
 *   for size in 6000000 10000000 16000000 24000000 64000000 400000000; do /tmp/latency $size; done
 *   HUGE=1 /tmp/latency 400000000
 *
 * docs/benchmarks.md uses it to tell which of a check's reads can come from the cache. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: latency SIZE_IN_BYTES\n");
        return 2;
    }
    size_t count = (size_t)atol(argv[1]) / sizeof(size_t);
    if (count < 2) {
        fprintf(stderr, "size too small\n");
        return 2;
    }
    size_t *next;
    if (posix_memalign((void **)&next, 1 << 21, count * sizeof(size_t)) != 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (getenv("HUGE")) {
        madvise(next, count * sizeof(size_t), MADV_HUGEPAGE);
    }
    /* Sattolo's shuffle: one cycle through every slot. */
    for (size_t i = 0; i < count; i++) next[i] = i;
    uint64_t state = 42;
    for (size_t i = count - 1; i > 0; i--) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)((state >> 33) % i);
        size_t t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
    const long reads = 20000000;
    size_t at = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long k = 0; k < reads; k++) at = next[at];
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / reads;
    printf("%.1f MB: %.1f ns a read (%zu)\n", count * sizeof(size_t) / 1e6, ns, at);
    return 0;
}
