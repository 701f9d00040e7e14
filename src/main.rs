//! The `pressd` binary: all behaviour lives in the library (`pressd::cli`).

fn main() -> std::process::ExitCode {
    pressd::cli::main()
}
