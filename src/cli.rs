//! Command line. Stub.
