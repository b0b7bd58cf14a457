/* Resource limits, soft and hard alike, so the tool cannot raise them. */
#include "internal.h"
#include <sys/resource.h>

_Static_assert((int)CCONFINE_RLIMIT_NPROC == (int)RLIMIT_NPROC, "RLIMIT_NPROC differs");

int cc_rlimits_apply(const struct cconfine_plan *plan, struct cc_failure *f) {
    for (size_t i = 0; i < plan->rlimit_count; i++) {
        struct rlimit lim = { plan->rlimits[i].limit, plan->rlimits[i].limit };
        if (syscall(SYS_prlimit64, 0, plan->rlimits[i].resource, &lim, NULL) != 0)
            return cc_fail(f, CCONFINE_STEP_RLIMIT, plan->rlimits[i].resource, errno);
    }
    return 0;
}
