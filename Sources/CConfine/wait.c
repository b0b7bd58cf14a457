#include "cconfine.h"
#include <sys/wait.h>

struct cconfine_wait_status cconfine_decode_wait_status(int status) {
    struct cconfine_wait_status s = {0};
    if (WIFEXITED(status)) {
        s.exited = 1;
        s.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        s.signaled = 1;
        s.signal = WTERMSIG(status);
        s.core_dumped = WCOREDUMP(status) ? 1 : 0;
    }
    return s;
}
