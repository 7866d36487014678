//! Any UTF-8 text through the statement splitter: every byte in exactly one chunk, one comment,
//! or the whitespace and `;` between them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgrisk_fuzz::splitter(data));
