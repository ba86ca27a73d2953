// An undocumented value cannot be matched by number: when a later schema documents it,
// it arrives as its own variant, and this match would silently stop matching.
use feishu::application::v6::FeedbackStatus;

fn is_archived(status: FeedbackStatus) -> bool {
    matches!(status, FeedbackStatus::Unknown(4))
}

fn main() {
    let _ = is_archived;
}
