//! A memory figure of a process as Linux reports it in `/proc/PID/status`
//! (`VmHWM`, the peak resident set; `RssAnon`, the anonymous part), for
//! the benchmarks that print them. `None` where the OS does not tell.

/// `field` (such as `"VmHWM"`) of process `pid`, or of this process for
/// `None`, in KiB.
pub fn kib(pid: Option<u32>, field: &str) -> Option<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    let status = std::fs::read_to_string(path).ok()?;
    status
        .lines()
        .find(|l| {
            l.strip_prefix(field)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}
