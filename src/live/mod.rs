//! TODO(skeleton): module `live` is being written; see the open issues.
