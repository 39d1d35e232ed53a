// Catch2's main() lives alone in this file so that test files recompile quickly.
// Catch's own fatal-signal handlers would replace the runtime's trap handler (which turns
// faults in JIT code into traps), so they are off for this test program.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
