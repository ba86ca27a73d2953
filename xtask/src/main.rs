fn main() {
    let files = feishu_codegen::load::read_dir(std::path::Path::new(&std::env::args().nth(1).unwrap())).unwrap();
    let (ok, bad) = feishu_codegen::load::parse_all(&files);
    for d in bad { println!("{d}"); }
    for d in feishu_codegen::validate::validate(&ok) { println!("{d}"); }
}
