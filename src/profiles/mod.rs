//! TODO(skeleton): module `profiles` is being written; see the open issues.
