//! Mailbox supervision (charter §5): the only things the portal ever knows about a mailbox's contents are its
//! size (messages, bytes) and, per folder, its name and message count. No type here can hold a subject, a sender,
//! a recipient, a date or the size of one message, so none can be stored or shown.

use serde::{Deserialize, Serialize};

use super::InvalidInput;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderStats {
    pub name: String,
    pub messages: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxStats {
    pub messages: i64,
    pub bytes: i64,
    pub folders: Vec<FolderStats>,
}

impl MailboxStats {
    pub const MAX_FOLDERS: usize = 1000;
    pub const MAX_FOLDER_NAME_CHARS: usize = 255;

    /// Checks what the mail platform sent: counts are not negative, folder names are present, printable,
    /// at most 255 characters and each named once.
    pub fn new(messages: i64, bytes: i64, folders: Vec<FolderStats>) -> Result<Self, InvalidInput> {
        if messages < 0 {
            return Err(InvalidInput::new("messages", "must not be negative"));
        }
        if bytes < 0 {
            return Err(InvalidInput::new("bytes", "must not be negative"));
        }
        if folders.len() > Self::MAX_FOLDERS {
            return Err(InvalidInput::new("folders", "at most 1000 folders"));
        }
        let mut seen = std::collections::HashSet::new();
        for folder in &folders {
            if folder.name.trim().is_empty() {
                return Err(InvalidInput::new("folders", "every folder needs a name"));
            }
            if folder.name.chars().count() > Self::MAX_FOLDER_NAME_CHARS {
                return Err(InvalidInput::new(
                    "folders",
                    "a folder name has at most 255 characters",
                ));
            }
            if folder.name.chars().any(char::is_control) {
                return Err(InvalidInput::new(
                    "folders",
                    "a folder name must not contain control characters",
                ));
            }
            if folder.messages < 0 {
                return Err(InvalidInput::new(
                    "folders",
                    "a folder's message count must not be negative",
                ));
            }
            if !seen.insert(folder.name.as_str()) {
                return Err(InvalidInput::new("folders", "each folder is named once"));
            }
        }
        Ok(Self {
            messages,
            bytes,
            folders,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, messages: i64) -> FolderStats {
        FolderStats {
            name: name.to_owned(),
            messages,
        }
    }

    #[test]
    fn aggregates_are_accepted_and_nonsense_refused() {
        assert!(MailboxStats::new(3, 1024, vec![folder("INBOX", 2), folder("Sent", 1)]).is_ok());
        assert!(MailboxStats::new(-1, 0, vec![]).is_err());
        assert!(MailboxStats::new(0, -1, vec![]).is_err());
        assert!(MailboxStats::new(0, 0, vec![folder(" ", 0)]).is_err());
        assert!(MailboxStats::new(0, 0, vec![folder("a\nb", 0)]).is_err());
        assert!(MailboxStats::new(0, 0, vec![folder("INBOX", -2)]).is_err());
        assert!(MailboxStats::new(0, 0, vec![folder("INBOX", 0), folder("INBOX", 1)]).is_err());
        assert!(MailboxStats::new(0, 0, vec![folder(&"x".repeat(256), 0)]).is_err());
    }
}
