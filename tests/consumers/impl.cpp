// The consumer program's implementation translation unit when it compiles wasmpp separately
// itself (consumer/add-subdirectory-impl): the one file that includes <wasm/impl.hpp>.
#include <wasm/impl.hpp>
