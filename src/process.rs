//! What pz does to its own process and to the processes it starts: no core
//! file (it would hold the API key and the partner's secrets), and children
//! that do not inherit the Console's credentials.

/// Makes this process non-dumpable: no core file on a crash, whatever
/// `ulimit -c` says, and no ptrace attach by other processes of the same
/// user. Called first thing in `main`; failures are ignored (a platform
/// without `prctl` simply keeps its default).
pub fn harden() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; no memory is kept.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes plain integers.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    // The static build's allocator (mimalloc) asks for transparent huge
    // pages on its arenas: on a kernel in THP `madvise` mode (most
    // distributions) each touched 2 MiB page counts whole, which took the
    // console with 1,000 zones from 12 to 27-45 MiB of RSS and its first
    // screen of zones from 41 to 148 ms. Off for this process (also for
    // THP `always`); `no_thp` keeps mimalloc from asking (Cargo.toml).
    #[cfg(all(target_os = "linux", target_env = "musl"))]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Gives memory back when a big answer is freed (glibc builds). glibc
/// serves a block above its mmap threshold (128 KiB) by its own mapping,
/// returned on free, but raises the threshold to the size of each such
/// block freed: after the first 730 KB list answer, every poll's answer
/// came from the arenas, which kept it. Set once, the threshold stays. With
/// 1,000 zones the console's heap and stacks went 4.9-6.5 MiB over 45 s
/// of polls; 3.8 MiB with the threshold fixed (`MALLOC_MMAP_THRESHOLD_`).
///
/// The static build's mimalloc gives freed pages back 1 s later, but only
/// when it is next called: an idle console never calls it, so after
/// 100,000 zones arrived it kept 233 MiB; purging at once, 99 MiB (the
/// 1,000-zone figures, RSS, idle CPU and `pz get`, are the same either way).
/// Called first thing in `main`, before any other thread exists.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes plain integers and changes only malloc's policy.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
    #[cfg(target_env = "musl")]
    {
        // `mi_option_purge_delay` (libmimalloc-sys names no constant for
        // it): changed only while it holds its default of 1,000 ms, so a
        // renumbering touches nothing else, and `MIMALLOC_PURGE_DELAY`
        // set by the user stays theirs.
        const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        // SAFETY: plain integers; no other thread runs yet (mimalloc's
        // option setters are not thread safe).
        unsafe {
            if libmimalloc_sys::mi_option_get(PURGE_DELAY) == 1_000 {
                libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
            }
        }
    }
}

/// Whether this process is dumpable (Linux; elsewhere None).
pub fn dumpable() -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_GET_DUMPABLE takes no pointer.
        let v = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        Some(v != 0)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Variables a child must not see: the vendor's `CDK_*` (the API key, the
/// password) and the sandbox's key variables.
pub fn is_secret_var(name: &str) -> bool {
    name.starts_with("CDK_") || name.starts_with("PZ_SANDBOX_")
}

/// Removes the secret variables from what `cmd` will pass on.
pub fn scrub(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_secret_var) {
            cmd.env_remove(&name);
        }
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_variables() {
        assert!(is_secret_var("CDK_API_KEY"));
        assert!(is_secret_var("CDK_PASSWORD"));
        assert!(is_secret_var("PZ_SANDBOX_API_KEY"));
        assert!(!is_secret_var("PATH"));
        assert!(!is_secret_var("TMUX"));
    }

    #[test]
    fn a_child_does_not_see_them() {
        // SAFETY: this test binary's other tests do not read these.
        unsafe { std::env::set_var("CDK_API_KEY_PROCESS_TEST", "k") };
        let out = scrub(std::process::Command::new("env").env("KEPT", "1"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("KEPT=1"));
        assert!(!text.contains("CDK_API_KEY_PROCESS_TEST"), "{text}");
    }
}
