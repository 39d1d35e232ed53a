#pragma once
// PthreadLock: holds a pthread mutex for its scope. Headers that every translation unit parses
// use pthread mutexes rather than <mutex> (see jit/module_compiler.hpp on header cost).
#include <pthread.h>

namespace wasm::detail {

class PthreadLock {
 public:
  explicit PthreadLock(pthread_mutex_t* mutex) : mutex_(mutex) { pthread_mutex_lock(mutex_); }
  ~PthreadLock() { pthread_mutex_unlock(mutex_); }
  PthreadLock(const PthreadLock&) = delete;
  PthreadLock& operator=(const PthreadLock&) = delete;

 private:
  pthread_mutex_t* mutex_;
};

}  // namespace wasm::detail
