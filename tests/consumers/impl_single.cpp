// The implementation translation unit of the separately compiled single-header consumer
// (consumer/single-header-separate): WASMPP_IMPLEMENTATION, then the one header.
#define WASMPP_IMPLEMENTATION
#include <wasm.hpp>
