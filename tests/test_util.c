/* test_util.c - the small helpers: how many CPUs a merge may use (affinity
 * and control-group quotas), the hash, numbers in the C locale. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "util.h"

static char root[64];

/* Writes text to root/rel (making its directories). */
static void put(const char *rel, const char *text) {
  char path[256], cmd[300];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
  CHECK(system(cmd) == 0);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) fputs(text, f), fclose(f);
}

static void test_quota(void) {
  snprintf(root, sizeof root, "/tmp/lp-test-util-XXXXXX");
  CHECK(mkdtemp(root) != NULL);
  /* cgroup v2: no quota, a quota of 1.5 CPUs (rounds up to 2), a parent
   * with a smaller one than its child. */
  put("free/cpu.max", "max 100000\n");
  CHECK(lp_cpu_quota(root, "0::/free\n") == 0);
  put("job/cpu.max", "150000 100000\n");
  CHECK(lp_cpu_quota(root, "0::/job\n") == 2);
  put("pod/cpu.max", "100000 100000\n");
  put("pod/task/cpu.max", "400000 100000\n");
  CHECK(lp_cpu_quota(root, "0::/pod/task\n") == 1);
  /* cgroup v1: the cpu controller's line, among others. */
  put("cpu/slurm/uid_0/cpu.cfs_quota_us", "300000\n");
  put("cpu/slurm/uid_0/cpu.cfs_period_us", "100000\n");
  CHECK(lp_cpu_quota(root,
                     "12:memory:/slurm/uid_0\n4:cpu,cpuacct:/slurm/uid_0\n") ==
        3);
  put("cpu/nolimit/cpu.cfs_quota_us", "-1\n");
  put("cpu/nolimit/cpu.cfs_period_us", "100000\n");
  CHECK(lp_cpu_quota(root, "4:cpuacct,cpu:/nolimit\n") == 0);
  /* Nothing there, or nothing readable: no quota. */
  CHECK(lp_cpu_quota(root, "0::/missing\n") == 0);
  CHECK(lp_cpu_quota(root, "") == 0);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
}

static void test_affinity(void) {
  int all = lp_cpus_available();
  CHECK(all >= 1);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  /* Pinned to one CPU (taskset -c 0): one worker by default. */
  if (sched_setaffinity(0, sizeof one, &one) == 0)
    CHECK(lp_cpus_available() == 1);
  else
    CHECK(!"sched_setaffinity to CPU 0 failed");
}

static void test_hash_and_numbers(void) {
  /* FNV-1a 64 of "a", from the algorithm's published test vectors. */
  CHECK(lp_hash(LP_HASH_SEED, "a", 1) == 0xaf63dc4c8601ec8cULL);
  CHECK(lp_hash(LP_HASH_SEED, "", 0) == LP_HASH_SEED);
  char *end;
  CHECK(lp_strtod("1.5pt", &end) == 1.5 && strcmp(end, "pt") == 0);
  lp_buf b = {0};
  lp_buf_printf(&b, "%.2f", 2.25);
  CHECK(b.len == 4 && memcmp(b.data, "2.25", 4) == 0);
  lp_buf_free(&b);
}

int main(void) {
  test_quota();
  test_hash_and_numbers();
  test_affinity(); /* last: it pins this process */
  return CHECK_DONE();
}
