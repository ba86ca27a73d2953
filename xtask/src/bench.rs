pub fn regen(_args: &[String]) -> Result<String, String> {
    Err("todo".into())
}
pub fn compile(_args: &[String]) -> Result<String, String> {
    Err("todo".into())
}
