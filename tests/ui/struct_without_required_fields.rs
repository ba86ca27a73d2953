// A link needs `pc_link`: neither a literal without it nor `Default` exists.
use feishu::approval::v4::ExternalInstanceLink;

fn main() {
    let _ = ExternalInstanceLink { mobile_link: None };
    let _ = ExternalInstanceLink::default();
}
