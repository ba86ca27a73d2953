// Only the client makes an `Unknown` value; code asks for one through `from_value`.
use feishu::application::v6::FeedbackStatus;
use feishu::UnknownValue;

fn main() {
    let _ = FeedbackStatus::Unknown(UnknownValue(4));
}
