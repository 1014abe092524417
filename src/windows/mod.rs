//! TODO(skeleton): module `windows` is being written; see the open issues.
