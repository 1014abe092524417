//! TODO(skeleton): module `synth` is being written; see the open issues.
