//! Configuration: the daemon file and the source files. Stub.
