//! Resource identifiers survive printing and parsing.

use proptest::prelude::*;

use crate::domain::consent::ResourceId;

proptest! {
    #[test]
    fn resource_identifiers_print_as_they_were_parsed(
        raw in prop_oneof![
            "web-space:[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z]{2,6}){1,2}",
            "backup-space:[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?",
            "mailbox:[a-zA-Z0-9._+-]{1,12}@[a-z0-9]{1,10}\\.[a-z]{2,4}",
            "snapshot:[A-Za-z0-9][A-Za-z0-9._:-]{0,40}",
        ]
    ) {
        let id = ResourceId::parse(&raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
        prop_assert_eq!(id.to_string(), raw);
    }

    #[test]
    fn any_identifier_that_parses_is_stable_under_printing(raw in "\\PC{0,40}|(web-space|backup-space|mailbox|snapshot):\\PC{0,30}") {
        if let Ok(id) = ResourceId::parse(&raw) {
            prop_assert_eq!(ResourceId::parse(&id.to_string()), Ok(id));
        }
    }
}
