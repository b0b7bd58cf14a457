#ifndef AIRLOCK_CSECCOMP_SHIM_H
#define AIRLOCK_CSECCOMP_SHIM_H
#include <seccomp.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <linux/memfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Function-like macros do not import into Swift; these spell them as functions. */
static inline uint32_t airlock_scmp_act_errno(uint16_t err) { return SCMP_ACT_ERRNO(err); }
static inline uint32_t airlock_scmp_act_trace(uint16_t msg) { return SCMP_ACT_TRACE(msg); }
static inline uint32_t airlock_scmp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t airlock_scmp_act_kill_thread(void) { return SCMP_ACT_KILL_THREAD; }
static inline uint32_t airlock_scmp_act_trap(void) { return SCMP_ACT_TRAP; }
static inline uint32_t airlock_scmp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t airlock_scmp_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t airlock_scmp_act_notify(void) { return SCMP_ACT_NOTIFY; }
static inline uint32_t airlock_scmp_arch_native(void) { return SCMP_ARCH_NATIVE; }
static inline uint32_t airlock_scmp_arch_x86_64(void) { return SCMP_ARCH_X86_64; }
static inline uint32_t airlock_scmp_arch_x86(void) { return SCMP_ARCH_X86; }
static inline uint32_t airlock_scmp_arch_x32(void) { return SCMP_ARCH_X32; }
static inline uint32_t airlock_scmp_arch_aarch64(void) { return SCMP_ARCH_AARCH64; }
static inline uint32_t airlock_scmp_arch_arm(void) { return SCMP_ARCH_ARM; }

/* libseccomp's "no such syscall" answer from the resolve functions. */
static inline int airlock_scmp_nr_error(void) { return __NR_SCMP_ERROR; }

/* Flags for seccomp(SECCOMP_SET_MODE_FILTER, flags, prog), for the profile's `flags` field. */
static inline uint32_t airlock_seccomp_flag_tsync(void) { return SECCOMP_FILTER_FLAG_TSYNC; }
static inline uint32_t airlock_seccomp_flag_log(void) { return SECCOMP_FILTER_FLAG_LOG; }
static inline uint32_t airlock_seccomp_flag_spec_allow(void) { return SECCOMP_FILTER_FLAG_SPEC_ALLOW; }
static inline uint32_t airlock_seccomp_flag_new_listener(void) { return SECCOMP_FILTER_FLAG_NEW_LISTENER; }
static inline uint32_t airlock_seccomp_flag_wait_killable_recv(void) { return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; }

/* A close-on-exec memfd for seccomp_export_bpf (libseccomp 2.5 has no export-to-memory).
   Glibc's memfd_create is hidden from Swift without _GNU_SOURCE. Returns -1 and sets errno. */
static inline int airlock_memfd(const char *_Nonnull name) {
    return (int)syscall(SYS_memfd_create, name, (unsigned int)MFD_CLOEXEC);
}

#endif
