//! TODO(skeleton): module `motion` is being written; see the open issues.
