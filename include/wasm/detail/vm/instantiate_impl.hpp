#pragma once
// Instantiation (see instantiate.hpp): its definitions, compiled once in separate-compilation mode.
#include <span>
#include <string>

#include "wasm/detail/vm/builtins_impl.hpp"
#include "wasm/detail/vm/instantiate.hpp"
#include "wasm/detail/vm/const_eval.hpp"
#include "wasm/detail/vm/invoke.hpp"
#include "wasm/detail/vm/store_data.hpp"
#include "wasm/detail/vm/type_registry.hpp"

namespace wasm::detail {

class Instantiator {
 public:
  Instantiator(StoreData& store, std::shared_ptr<const ModuleState> module)
      : store_(store), module_(std::move(module)), info_(module_->info),
        allocator_(*store_.engine->allocator),
        images_(store_.engine->config.memory_init_cow() ? module_->memory_images.get(info_) : nullptr) {}

  // On success the instance belongs to the store. On failure after allocation it belongs to
  // the store too: segments may already have written into shared tables or memories.
  Result<Instance*> run(std::span<const ResolvedImport> imports) {
    if (Result<void> r = check_imports(imports); !r) return std::move(r).error();
    Result<Instance*> allocated = allocator_.allocate_instance(&store_, module_);
    if (!allocated) return std::move(allocated).error();
    Instance* in = *allocated;
    store_.instances.push_back(in);
    in_ = in;
    init_prefix();
    bind_imports(imports);
    init_func_refs();  // before the tables: their initializers may name functions
    if (Result<void> r = create_memories(); !r) return std::move(r).error();
    if (Result<void> r = create_tables(); !r) return std::move(r).error();
    init_globals();
    init_tags();
    in_->dropped_elems.assign(info_.elements.size(), false);
    in_->dropped_data.assign(info_.data.size(), false);
    in_->func_handles.assign(info_.func_types.size(), -1);
    if (Result<void> r = apply_elements(); !r) return std::move(r).error();
    if (Result<void> r = apply_data(); !r) return std::move(r).error();
    if (info_.start) {
      VMFuncRef* start = in_->func_ref(*info_.start);
      ValRaw none[1];
      if (Result<void> r = call_array(store_, start, none); !r) return std::move(r).error();
    }
    return in_;
  }

 private:
  Error link_error(const Import& imp, const std::string& why) const {
    return Error(ErrorKind::Link, why + ": import \"" + imp.module + "\" \"" + imp.name + "\"");
  }

  ValType canonical(ValType t) const { return canonical_type(t, module_->type_ids); }
  TableType canonical(TableType t) const {
    t.element = canonical(t.element);
    return t;
  }

  Result<void> check_imports(std::span<const ResolvedImport> imports) const {
    if (imports.size() != info_.imports.size()) {
      return Error(ErrorKind::Link, "expected " + std::to_string(info_.imports.size()) +
                                        " imports, got " + std::to_string(imports.size()));
    }
    for (size_t i = 0; i < imports.size(); ++i) {
      const Import& imp = info_.imports[i];
      const ResolvedImport& r = imports[i];
      if (r.kind != imp.kind) return link_error(imp, "incompatible import type");
      bool ok = true;
      switch (imp.kind) {
        case ExternKind::Func:
          ok = store_.engine->types.subtype(store_.funcs[r.handle].ref->type_id, module_->type_ids[imp.type_index]);
          break;
        case ExternKind::Table: {  // mutable: element types must be equal
          TableType actual = store_.tables[r.handle]->type();
          ok = actual.element == canonical(imp.table.element) && actual.is64 == imp.table.is64 &&
               limits_match(actual.limits, imp.table.limits);
          break;
        }
        case ExternKind::Memory: {
          MemoryType actual = store_.memories[r.handle]->type();
          ok = actual.is64 == imp.memory.is64 && actual.limits.shared == imp.memory.limits.shared &&
               limits_match(actual.limits, imp.memory.limits);
          break;
        }
        case ExternKind::Global: {  // a constant may be of a subtype; a variable must be equal
          const GlobalType& actual = store_.globals[r.handle].type;
          const ValType expected = canonical(imp.global.type);
          ok = actual.mutable_ == imp.global.mutable_ &&
               (imp.global.mutable_ ? actual.type == expected : is_subtype(actual.type, expected));
          break;
        }
        case ExternKind::Tag:
          ok = store_.tags[r.handle]->type_id == module_->type_ids[imp.type_index];
          break;
      }
      if (!ok) return link_error(imp, "incompatible import type");
    }
    return {};
  }

  void init_prefix() {
    *in_->field<uint32_t>(VMOffsets::magic()) = kVMContextMagic;
    *in_->field<VMStoreContext*>(VMOffsets::store_context()) = &store_.ctx;
    *in_->field<const VMBuiltins*>(VMOffsets::builtins()) = builtins_table();
    *in_->field<const uint32_t*>(VMOffsets::type_ids()) = module_->type_ids.data();
  }

  void bind_imports(std::span<const ResolvedImport> imports) {
    const VMOffsets& off = module_->offsets;
    uint32_t funcs = 0, tables = 0, memories = 0, globals = 0;
    for (const ResolvedImport& r : imports) {
      switch (r.kind) {
        case ExternKind::Func: {
          VMFuncRef* ref = store_.funcs[r.handle].ref;
          *in_->field<VMFunctionImport>(off.imported_function(funcs)) = {ref->code, ref->vmctx};
          *in_->func_ref(funcs) = *ref;
          ++funcs;
          break;
        }
        case ExternKind::Table: {
          Table* t = store_.tables[r.handle].get();
          *in_->field<VMTableImport>(off.imported_table(tables++)) = {t->definition(), nullptr};
          in_->tables.push_back(t);
          in_->table_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Memory: {
          LinearMemory* m = store_.memories[r.handle].get();
          *in_->field<VMMemoryImport>(off.imported_memory(memories++)) = {m->definition(), nullptr};
          in_->memories.push_back(m);
          in_->memory_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Global: {
          VMGlobalDefinition* g = store_.globals[r.handle].definition;
          *in_->field<VMGlobalImport>(off.imported_global(globals++)) = {g};
          in_->globals.push_back(g);
          in_->global_handles.push_back(r.handle);
          break;
        }
        case ExternKind::Tag:
          in_->tags.push_back(store_.tags[r.handle].get());
          in_->tag_handles.push_back(r.handle);
          break;
      }
    }
  }

  Result<void> create_memories() {
    const Config& config = store_.engine->config;
    MemorySettings settings;
    settings.bounds_checks = config.bounds_checks();
    for (uint32_t i = info_.num_imported_memories; i < info_.memories.size(); ++i) {
      uint32_t defined = i - info_.num_imported_memories;
      auto mem = allocator_.allocate_memory(info_.memories[i], settings, store_.limiter,
                                            images_ ? images_->memories[defined] : nullptr);
      if (!mem) return std::move(mem).error();
      (*mem)->bind_definition(in_->field<VMMemoryDefinition>(module_->offsets.memory(defined)));
      in_->memories.push_back(mem->get());
      in_->memory_handles.push_back(uint32_t(store_.memories.size()));
      store_.memories.push_back(std::move(*mem));
    }
    return {};
  }

  // A defined funcref table whose active segments all list function indices can be filled
  // lazily: instantiation records which function goes where, and the table asks on first read.
  bool can_init_lazily(uint32_t table_index) const {
    if (info_.tables[table_index].element.kind() != ValType::Kind::FuncRef) return false;
    if (info_.table_inits[table_index - info_.num_imported_tables]) return false;
    for (const ElemSegment& seg : info_.elements) {
      if (seg.mode == SegmentMode::Active && seg.table == table_index && seg.uses_exprs) return false;
    }
    return true;
  }

  Result<void> create_tables() {
    for (uint32_t i = info_.num_imported_tables; i < info_.tables.size(); ++i) {
      auto table = allocator_.allocate_table(canonical(info_.tables[i]), store_.limiter);
      if (!table) return std::move(table).error();
      uint32_t defined = i - info_.num_imported_tables;
      if (const auto& init = info_.table_inits[defined])  // every element starts as its value
        (*table)->fill(0, eval_const(*init, *in_).ref, (*table)->size());
      (*table)->bind_definition(in_->field<VMTableDefinition>(module_->offsets.table(defined)));
      in_->lazy_funcs.emplace_back();
      if (can_init_lazily(i)) {
        Instance* instance = in_;
        (*table)->set_lazy_init([instance, defined](uint64_t index) -> VMFuncRef* {
          const std::vector<uint32_t>& funcs = instance->lazy_funcs[defined];
          if (index >= funcs.size() || funcs[index] == 0) return nullptr;
          return instance->func_ref(funcs[index] - 1);
        });
      }
      in_->tables.push_back(table->get());
      in_->table_handles.push_back(uint32_t(store_.tables.size()));
      store_.tables.push_back(std::move(*table));
    }
    return {};
  }

  void init_func_refs() {
    for (uint32_t i = info_.num_imported_funcs; i < info_.func_types.size(); ++i) {
      VMFuncRef* ref = in_->func_ref(i);
      ref->code = const_cast<void*>(module_->code.function_entry(i));
      ref->vmctx = in_->vmctx();
      ref->type_id = module_->type_ids[info_.func_types[i]];
    }
  }

  void init_tags() {
    for (uint32_t i = info_.num_imported_tags; i < info_.tag_types.size(); ++i) {
      uint32_t handle = store_.add_tag(module_->type_ids[info_.tag_types[i]]);
      in_->tags.push_back(store_.tags[handle].get());
      in_->tag_handles.push_back(handle);
    }
  }

  void init_globals() {
    for (uint32_t i = info_.num_imported_globals; i < info_.globals.size(); ++i) {
      uint32_t defined = i - info_.num_imported_globals;
      auto* def = in_->field<VMGlobalDefinition>(module_->offsets.global(defined));
      ValRaw value = eval_const(info_.global_inits[defined], *in_);
      std::memcpy(def->storage, &value, sizeof value);
      in_->globals.push_back(def);
      GlobalType type = info_.globals[i];
      type.type = canonical(type.type);
      in_->global_handles.push_back(store_.add_global(def, type));
    }
  }

  static uint64_t offset_value(const ValRaw& v, bool is64) {
    return is64 ? uint64_t(v.i64) : uint64_t(uint32_t(v.i32));
  }

  Result<void> apply_elements() {
    for (uint32_t s = 0; s < info_.elements.size(); ++s) {
      const ElemSegment& seg = info_.elements[s];
      if (seg.mode == SegmentMode::Passive) continue;
      in_->dropped_elems[s] = true;  // active and declarative segments are dropped afterwards
      if (seg.mode == SegmentMode::Declarative) continue;
      Table& table = *in_->tables[seg.table];
      uint64_t offset = offset_value(eval_const(seg.offset, *in_), info_.tables[seg.table].is64);
      if (!range_in_bounds(offset, seg.size(), table.size())) {
        return Error(ErrorKind::Instantiate, trap_message(TrapCode::TableOutOfBounds));
      }
      bool lazy = seg.table >= info_.num_imported_tables && can_init_lazily(seg.table);
      if (lazy) {
        std::vector<uint32_t>& funcs = in_->lazy_funcs[seg.table - info_.num_imported_tables];
        if (funcs.size() < table.size()) funcs.resize(table.size(), 0);
        for (size_t k = 0; k < seg.func_indices.size(); ++k) funcs[offset + k] = seg.func_indices[k] + 1;
        continue;
      }
      in_->dropped_elems[s] = false;  // table_init reads the segment
      auto trap = builtin_impl::do_table_init(*in_, seg.table, s, offset, 0, seg.size());
      in_->dropped_elems[s] = true;
      if (trap) return Error(ErrorKind::Instantiate, trap_message(*trap));
    }
    return {};
  }

  Result<void> apply_data() {
    for (uint32_t s = 0; s < info_.data.size(); ++s) {
      const DataSegment& seg = info_.data[s];
      if (seg.mode != SegmentMode::Active) continue;
      if (images_ && images_->covered[s]) {  // already in the memory, from its image
        in_->dropped_data[s] = true;
        continue;
      }
      LinearMemory& mem = *in_->memories[seg.memory];
      uint64_t offset = offset_value(eval_const(seg.offset, *in_), info_.memories[seg.memory].is64);
      auto trap = memory_init(*mem.definition(), info_.segment_bytes(seg), offset, 0, seg.data_size);
      in_->dropped_data[s] = true;
      if (trap) return Error(ErrorKind::Instantiate, trap_message(*trap));
    }
    return {};
  }

  StoreData& store_;
  std::shared_ptr<const ModuleState> module_;
  const ModuleInfo& info_;
  InstanceAllocator& allocator_;
  const ModuleMemoryImages* images_;  // null: every data segment is copied
  Instance* in_ = nullptr;
};

WASMPP_INLINE Result<Instance*> instantiate(StoreData& store, std::shared_ptr<const ModuleState> module,
                                            std::span<const ResolvedImport> imports) {
  return Instantiator(store, std::move(module)).run(imports);
}

}  // namespace wasm::detail
