use crate::expand::Fields;
pub(crate) fn describe(_fields: &Fields) -> String {
    String::new()
}
