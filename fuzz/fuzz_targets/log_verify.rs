//! Reading the decision log back (`failsafe log verify`, `failsafe log`): no panic, no
//! hang, whatever the file holds.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = common::world().config.join("log");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(failsafe::log::LOG_FILE_NAME), data).unwrap();
    if let Ok(report) = failsafe::log::verify(&dir) {
        let _ = failsafe::log::render_verify(&report, false);
        let _ = failsafe::log::render_verify(&report, true);
    }
    let _ = failsafe::log::read_records(&dir, None);
    let _ = failsafe::log::read_records(&dir, Some(3));
});
