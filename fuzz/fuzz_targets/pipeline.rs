//! Any bytes through the whole pipeline: read, split, parse, analyse, render JSON and text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgrisk_fuzz::pipeline(data));
