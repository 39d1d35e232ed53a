# Run by the spec/missing-suite test when the spec test suite was not found at configure time.
message(FATAL_ERROR "The WebAssembly spec test suite was not found: looked for '${SPEC_DIR}/core'. "
                    "Reconfigure with -DWASMPP_SPEC_DIR=/path/to/spec (or the environment variable "
                    "WASMPP_SPEC_DIR) pointing at the folder holding core/, simd/ and proposals/.")
