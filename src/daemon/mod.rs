//! The daemon. Stub.
