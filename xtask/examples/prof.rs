//! Where regeneration spends its time, stage by stage (2,000 synthetic endpoints).
// The allocator `cargo xtask` uses, so the split matches the real command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let files = xtask::synth::schema(2000);
    let t = std::time::Instant::now();
    let (loaded, _) = feishu_codegen::load::parse_all(&files);
    eprintln!("load     {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let problems = feishu_codegen::validate::validate(&loaded);
    eprintln!("validate {:?} ({} problems)", t.elapsed(), problems.len());
    let t = std::time::Instant::now();
    let api = feishu_codegen::lower::lower(&loaded);
    eprintln!("lower    {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let files = feishu_codegen::render::render(&api, "feishu").unwrap();
    eprintln!("emit+render {:?} ({} files)", t.elapsed(), files.len());
}
