//! Required parameters are required by the type system: leaving one out, or passing a
//! wire value where the schema has an enum, does not compile; and an undocumented value
//! can be neither matched by number nor made by hand.

#[test]
fn missing_required_parameters_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
