//! Any bytes as a schema file: loading and validating must answer with diagnostics,
//! never panic; and a file that validates must generate (lower, emit, render) cleanly.
#![no_main]

use feishu_codegen::load::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = SourceFile {
        path: "demo/v1/fuzz.yaml".into(),
        bytes: data.to_vec(),
    };
    let files = [file];
    if feishu_codegen::check(&files).is_empty() {
        if let Err(feishu_codegen::Failure::Internal(e)) = feishu_codegen::generate(&files) {
            panic!("a valid schema did not generate: {e}");
        }
    }
});
