#pragma once
// Linker<T>: definitions by module and name (functions, tables, memories, globals, whole
// instances) that resolve a module's imports, then instantiation. Host functions defined on a
// Linker belong to no store: each store gets its own copy the first time it needs one.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "wasm/caller.hpp"
#include "wasm/detail/api/host_adapter.hpp"
#include "wasm/detail/vm/instantiate.hpp"
#include "wasm/module.hpp"

namespace wasm {

template <typename T>
class InstancePre;

template <typename T = std::monostate>
class Linker {
 public:
  using DynamicCallback = std::function<Result<void>(Caller<T>&, std::span<const Val>, std::span<Val>)>;

  explicit Linker(const Engine& engine) : engine_(engine) {}

  // Later definitions of a name replace earlier ones instead of being an error.
  Linker& allow_shadowing(bool allow) {
    allow_shadowing_ = allow;
    return *this;
  }

  Result<void> define(std::string_view module, std::string_view name, const Extern& item) {
    return insert(module, name, Definition{item});
  }

  // A host function with a dynamic signature, for every store this linker instantiates in.
  Result<void> func_new(std::string_view module, std::string_view name, const FuncType& type,
                        DynamicCallback callback) {
    auto host = std::make_shared<HostDefinition>();
    host->make = [type, callback = std::move(callback)](Store<T>& store) {
      return Func::create(store, type, callback);
    };
    return insert(module, name, Definition{host});
  }

  // A typed host function from a C++ callable; its wasm type comes from the signature.
  // Needs no store: each store gets its own copy when it first instantiates with it.
  template <typename F>
  Result<void> func_wrap(std::string_view module, std::string_view name, F&& fn) {
    auto host = std::make_shared<HostDefinition>();
    host->make = [fn = std::forward<F>(fn)](Store<T>& store) { return Func::wrap(store, fn); };
    return insert(module, name, Definition{host});
  }
  // The same for a member function called on `object`, which must outlive every store that
  // instantiates with this linker: linker.func_wrap("env", "add", &counter, &Counter::add).
  template <typename Obj, typename M>
    requires std::is_member_function_pointer_v<M>
  Result<void> func_wrap(std::string_view module, std::string_view name, Obj* object, M method) {
    return func_wrap(module, name, detail::bind_method(object, method));
  }

  // Defines every export of `instance` under module name `module`.
  Result<void> instance(Store<T>& store, std::string_view module, const Instance& instance) {
    auto s = detail::owning_store(store, instance.store_id());
    if (!s) return std::move(s).error();
    detail::Instance* in = (*s)->instances[instance.index()];
    for (const detail::Export& e : in->info().exports) {
      std::optional<Extern> item = Instance::export_of(**s, in, e.name);
      if (!item) continue;
      if (Result<void> r = define(module, e.name, *item); !r) return r;
    }
    return {};
  }

  // The definition of module.name as an Extern of `store`.
  std::optional<Extern> get(Store<T>& store, std::string_view module, std::string_view name) {
    auto it = defs_.find(make_key(module, name));
    if (it == defs_.end()) return std::nullopt;
    return materialize(store, it->second);
  }

  Result<Instance> instantiate(Store<T>& store, const Module& module);
  Result<InstancePre<T>> instantiate_pre(const Module& module);

 private:
  friend class InstancePre<T>;

  struct HostDefinition {
    std::function<Func(Store<T>&)> make;
    std::unordered_map<uint64_t, Func> per_store;  // the copy made in each store
  };
  using Definition = std::variant<Extern, std::shared_ptr<HostDefinition>>;
  using Key = std::pair<std::string, std::string>;

  static Key make_key(std::string_view module, std::string_view name) {
    return {std::string(module), std::string(name)};
  }

  Result<void> insert(std::string_view module, std::string_view name, Definition def) {
    auto [it, inserted] = defs_.try_emplace(make_key(module, name), def);
    if (!inserted) {
      if (!allow_shadowing_) {
        return Error(ErrorKind::Link, "\"" + std::string(module) + "\" \"" + std::string(name) + "\" is already defined");
      }
      it->second = std::move(def);
    }
    return {};
  }

  static Extern materialize(Store<T>& store, const Definition& def) {
    if (const Extern* e = std::get_if<Extern>(&def)) return *e;
    HostDefinition& host = *std::get<std::shared_ptr<HostDefinition>>(def);
    uint64_t id = store.inner().id;
    auto it = host.per_store.find(id);
    if (it == host.per_store.end()) {
      it = host.per_store.emplace(id, host.make(store)).first;
    }
    return it->second;
  }

  // Resolves every import of `module` for `store`.
  Result<std::vector<detail::ResolvedImport>> resolve(Store<T>& store, const Module& module) {
    std::vector<detail::ResolvedImport> resolved;
    for (const detail::Import& imp : module.info().imports) {
      auto it = defs_.find(make_key(imp.module, imp.name));
      if (it == defs_.end()) {
        return Error(ErrorKind::Link, "unknown import: \"" + imp.module + "\" \"" + imp.name + "\" has not been defined");
      }
      Extern item = materialize(store, it->second);
      if (detail::extern_store_id(item) != store.inner().id) {
        return Error(ErrorKind::Link, "import \"" + imp.module + "\" \"" + imp.name + "\" belongs to another store");
      }
      resolved.push_back({detail::extern_kind(item), detail::extern_handle(item)});
    }
    return resolved;
  }

  Engine engine_;
  bool allow_shadowing_ = false;
  std::map<Key, Definition> defs_;
};

// A module whose imports a Linker resolves, ready to instantiate many times.
template <typename T = std::monostate>
class InstancePre {
 public:
  InstancePre(Linker<T> linker, Module module) : linker_(std::move(linker)), module_(std::move(module)) {}

  Result<Instance> instantiate(Store<T>& store) {
    if (!(store.engine() == module_.engine())) {
      return Error(ErrorKind::Link, "the module and the store belong to different engines");
    }
    auto imports = linker_.resolve(store, module_);
    if (!imports) return std::move(imports).error();
    auto in = detail::instantiate(store.inner(), module_.state(), *imports);
    if (!in) return std::move(in).error();
    return Instance(store.inner().id, uint32_t(store.inner().instances.size() - 1));
  }

  const Module& module() const { return module_; }

 private:
  Linker<T> linker_;
  Module module_;
};

template <typename T>
Result<InstancePre<T>> Linker<T>::instantiate_pre(const Module& module) {
  for (const detail::Import& imp : module.info().imports) {
    if (!defs_.count(make_key(imp.module, imp.name))) {
      return Error(ErrorKind::Link, "unknown import: \"" + imp.module + "\" \"" + imp.name + "\" has not been defined");
    }
  }
  return InstancePre<T>(*this, module);
}

template <typename T>
Result<Instance> Linker<T>::instantiate(Store<T>& store, const Module& module) {
  return InstancePre<T>(*this, module).instantiate(store);
}

}  // namespace wasm
