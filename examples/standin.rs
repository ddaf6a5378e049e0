//! A stand-in for a real tool in the latency benchmark: it does nothing and exits 0, so
//! the benchmark measures process start-up plus whatever the shim adds, nothing else.
fn main() {}
