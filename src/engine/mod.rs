//! TODO(skeleton): module `engine` is being written; see the open issues.
