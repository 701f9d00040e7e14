//! The `pressd` binary: all behaviour lives in the library (`pressd::cli`).

// jemalloc rather than the system allocator: the daemon runs for months
// with a dozen threads (runtime, index writer, tantivy's merges), and
// glibc's per-thread arenas kept freed memory resident. Measured with
// examples/poll_bench (10,000 feeds): first-cycle peak RSS 141 MB against
// 157 MB with glibc and 214 MB with mimalloc. Its settings (fewer arenas,
// freed pages returned sooner) are compiled in from .cargo/config.toml.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    pressd::cli::main()
}
