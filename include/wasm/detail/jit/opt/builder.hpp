#pragma once
// Builds the SSA IR of one function from its validated wasm body in a single pass: the operand
// stack holds SSA values, locals are SSA variables (ssa_vars.hpp), control constructs become
// blocks whose parameters carry the values a branch passes. Code after an unconditional branch
// is skipped. An operator the IR cannot express yet makes the result Unsupported, so that the
// function stays on the baseline tier; the builder never produces an approximate IR.
#include <string>
#include <vector>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/jit/opt/ir.hpp"
#include "wasm/detail/jit/opt/ssa_vars.hpp"
#include "wasm/features.hpp"

namespace wasm::detail::jit::opt {

struct BuildResult {
  Function func;
  bool ok = false;
  std::string unsupported;  // why not, when !ok
  uint32_t offset = 0;      // module offset of the operator that stopped the build
};

class FunctionBuilder {
 public:
  FunctionBuilder(const ModuleInfo& m, const Features& features) : m_(m), features_(features) {}

  BuildResult build(uint32_t func_index) {
    BuildResult out;
    Function& f = out.func;
    f = Function{};
    f.func_index = func_index;
    f_ = &f;
    SsaVars vars(f);
    vars_ = &vars;
    frames_.clear();
    stack_.clear();
    dead_depth_ = 0;
    ok_ = true;
    reason_.clear();
    at_ = 0;

    const FuncType& sig = m_.func_type(func_index);
    for (ValType t : sig.params) f.params.push_back(type_of(t));
    for (ValType t : sig.results) f.results.push_back(type_of(t));
    const FunctionBody& body = m_.bodies[func_index - m_.num_imported_funcs];
    std::vector<Type> locals = f.params;
    for (const LocalGroup& g : body.locals) locals.insert(locals.end(), g.count, type_of(g.type));
    // exnref has no IR type yet: such functions stay on the baseline.
    for (Type t : locals)
      if (t == Type::Void) fail("exnref locals or parameters");
    for (Type t : f.results)
      if (t == Type::Void) fail("exnref results");
    vars.set_var_types(std::move(locals));

    f.entry = vars.new_block(true);
    vars.enter(f.entry);
    for (uint32_t i = 0; i < f.params.size(); ++i) vars.write(i, f.entry, f.add_param(f.entry, f.params[i]));
    membase_.assign(m_.memories.size(), kNone);

    Frame fn;
    fn.kind = Frame::Func;
    fn.results = &sig.results;
    frames_.push_back(fn);

    Reader r(m_.body_code(body), body.code_offset);
    InstructionReader reader(r, features_);
    Instruction in;
    while (ok_ && !frames_.empty()) {
      if (!reader.next(in)) {
        fail("malformed body");
        break;
      }
      at_ = in.offset;
      translate(in);
    }
    if (ok_ && !frames_.empty()) fail("body ends inside a block");
    vars.leave();
    if (ok_) {
      vars.drop_alias_params();
      resolve_all(f);
      for (BlockId b = 0; b < f.blocks.size(); ++b)
        if (f.terminator(b) == kNone) f.blocks[b].removed = true;  // never reached
    }
    out.ok = ok_;
    out.unsupported = reason_;
    out.offset = at_;
    return out;
  }

 private:
  struct Frame {
    enum Kind : uint8_t { Func, Block, Loop, If } kind = Block;
    const std::vector<ValType>* params = nullptr;   // null: none
    const std::vector<ValType>* results = nullptr;  // null: none (or `single`)
    ValType single = ValType::I32;
    bool has_single = false;
    BlockId label = kNone;  // where a branch to this frame goes (created lazily for Block, Func)
    BlockId else_block = kNone;  // If before its else
    size_t height = 0;           // operand stack height below the frame's parameters
    std::vector<ValueId> if_params;
  };

  static std::span<const ValType> params_of(const Frame& fr) {
    return fr.params ? std::span<const ValType>(*fr.params) : std::span<const ValType>();
  }
  static std::span<const ValType> results_of(const Frame& fr) {
    if (fr.has_single) return std::span<const ValType>(&fr.single, 1);
    return fr.results ? std::span<const ValType>(*fr.results) : std::span<const ValType>();
  }
  // Values a branch to fr passes: a loop's parameters, otherwise the results.
  static std::span<const ValType> label_types(const Frame& fr) {
    return fr.kind == Frame::Loop ? params_of(fr) : results_of(fr);
  }

  void fail(std::string why) {
    if (!ok_) return;
    ok_ = false;
    reason_ = std::move(why);
  }

  Frame frame_for(const BlockType& bt) {
    Frame fr;
    if (bt.kind == BlockType::Kind::Value) {
      fr.single = bt.value;
      fr.has_single = true;
    } else if (bt.kind == BlockType::Kind::TypeIndex) {
      fr.params = &m_.types[bt.type_index].params;
      fr.results = &m_.types[bt.type_index].results;
    }
    return fr;
  }

  // --- emission helpers --------------------------------------------------------------------
  BlockId cur() const { return vars_->current(); }
  bool reachable() const { return cur() != kNone; }

  ValueId pop() {
    ValueId v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::span<const ValueId> top(size_t n) const { return {stack_.data() + stack_.size() - n, n}; }

  InstId emit(InstId i) {
    f_->append(cur(), i);
    return i;
  }
  ValueId emit1(Opcode opc, Type t, std::span<const ValueId> args) {
    return f_->insts[emit(f_->create1(opc, t, args))].result;
  }

  BlockId new_block(std::span<const ValType> param_types, bool sealed) {
    BlockId b = vars_->new_block(sealed);
    for (ValType t : param_types) f_->add_param(b, type_of(t));
    return b;
  }
  void add_edge(InstId term, BlockId target, std::span<const ValueId> args) {
    std::vector<ValueId> copy(args.begin(), args.end());  // args may point into stack_
    vars_->add_pred_edge(f_->add_edge(term, target, copy));
  }
  // Ends the current block with terminator t (its edges added by the caller after).
  InstId terminate(Opcode opc, std::span<const ValueId> args) {
    InstId t = f_->create1(opc, Type::Void, args);
    emit(t);
    return t;
  }
  void jump(BlockId target, std::span<const ValueId> args) {
    InstId t = terminate(Opcode::Jump, {});
    add_edge(t, target, args);
    vars_->leave();
  }
  void start(BlockId b) {
    vars_->enter(b);
    std::fill(membase_.begin(), membase_.end(), kNone);
  }
  // After an unconditional transfer: the rest of the construct is unreachable.
  void set_unreachable() {
    vars_->leave();
    stack_.resize(frames_.back().height);
  }

  BlockId label_of(size_t depth) {
    Frame& fr = frames_[frames_.size() - 1 - depth];
    if (fr.label == kNone) {
      if (fr.kind == Frame::Func) {  // a branch to the function returns
        fr.label = new_block(results_of(fr), true);
        std::vector<ValueId> ps(f_->params_of(fr.label).begin(), f_->params_of(fr.label).end());
        f_->append(fr.label, f_->create1(Opcode::Return, Type::Void, ps));
      } else {
        fr.label = new_block(label_types(fr), false);
      }
    }
    return fr.label;
  }
  size_t label_arity(size_t depth) const { return label_types(frames_[frames_.size() - 1 - depth]).size(); }

  ValueId membase(uint32_t mem) {
    if (membase_[mem] == kNone) {
      InstId i = f_->create1(Opcode::MemBase, Type::I64, {});
      f_->insts[i].imm2 = mem;
      membase_[mem] = f_->insts[emit(i)].result;
    }
    return membase_[mem];
  }
  void clobber_memory_state() { std::fill(membase_.begin(), membase_.end(), kNone); }

  // --- the translation ---------------------------------------------------------------------
  void translate(const Instruction& in) {
    if (!reachable()) {
      skip_dead(in);
      return;
    }
    if (touches_table64(in)) return fail("64-bit table");
    const OpInfo& info = in.info();
    // (Typed function references are plain funcrefs here; call_ref, br_on_null and the other
    // typed-reference operators are Special, so the switch's default declines them.)
    if (in.type.kind() == ValType::Kind::ExnRef || in.block.value.kind() == ValType::Kind::ExnRef)
      return fail("exnref");
    // Atomics need their own lowering (lock prefixes, alignment traps, wait/notify calls).
    if (info.prefix == 0xFE) return fail(std::string("atomic operator ") + info.text);
    switch (in.op) {
      case Op::Nop: return;
      case Op::Block: {
        Frame fr = frame_for(in.block);
        fr.kind = Frame::Block;
        fr.height = stack_.size() - params_of(fr).size();
        frames_.push_back(fr);
        return;
      }
      case Op::Loop: {
        Frame fr = frame_for(in.block);
        fr.kind = Frame::Loop;
        size_t n = params_of(fr).size();
        fr.height = stack_.size() - n;
        fr.label = new_block(params_of(fr), false);
        jump(fr.label, top(n));
        stack_.resize(fr.height);
        start(fr.label);
        for (ValueId p : f_->params_of(fr.label)) stack_.push_back(p);
        frames_.push_back(fr);
        return;
      }
      case Op::If: {
        ValueId cond = pop();
        Frame fr = frame_for(in.block);
        fr.kind = Frame::If;
        size_t n = params_of(fr).size();
        fr.height = stack_.size() - n;
        fr.if_params.assign(top(n).begin(), top(n).end());
        BlockId then_b = new_block({}, true);
        fr.else_block = new_block({}, true);
        InstId t = terminate(Opcode::Brif, std::span<const ValueId>(&cond, 1));
        add_edge(t, then_b, {});
        add_edge(t, fr.else_block, {});
        frames_.push_back(fr);
        start(then_b);
        return;
      }
      case Op::Else: return do_else();
      case Op::End: return do_end();
      case Op::Br: {
        size_t n = label_arity(in.index);
        BlockId target = label_of(in.index);
        jump(target, top(n));
        return set_unreachable();
      }
      case Op::BrIf: {
        ValueId cond = pop();
        size_t n = label_arity(in.index);
        BlockId target = label_of(in.index);
        BlockId cont = new_block({}, true);
        InstId t = terminate(Opcode::Brif, std::span<const ValueId>(&cond, 1));
        add_edge(t, target, top(n));
        add_edge(t, cont, {});
        vars_->leave();
        start(cont);
        return;
      }
      case Op::BrTable: {
        ValueId index = pop();
        size_t n = label_arity(in.index);
        std::vector<uint32_t> depths(in.targets->begin(), in.targets->end());
        depths.push_back(in.index);
        std::vector<BlockId> targets;
        for (uint32_t d : depths) targets.push_back(label_of(d));
        InstId t = terminate(Opcode::BrTable, std::span<const ValueId>(&index, 1));
        for (BlockId b : targets) add_edge(t, b, top(n));
        vars_->leave();
        return set_unreachable();
      }
      case Op::Return: {
        terminate(Opcode::Return, top(f_->results.size()));
        return set_unreachable();
      }
      case Op::Unreachable: {
        InstId t = terminate(Opcode::Trap, {});
        f_->insts[t].imm = uint64_t(TrapCode::UnreachableCodeReached);
        return set_unreachable();
      }
      case Op::Drop: pop(); return;
      case Op::Select:
      case Op::SelectT: {
        ValueId c = pop(), b = pop(), a = pop();
        ValueId args[3] = {a, b, c};
        stack_.push_back(emit1(Opcode::Select, f_->type(a), args));
        return;
      }
      case Op::LocalGet: stack_.push_back(vars_->read(in.index, cur())); return;
      case Op::LocalSet: vars_->write(in.index, cur(), pop()); return;
      case Op::LocalTee: vars_->write(in.index, cur(), stack_.back()); return;
      case Op::GlobalGet: {
        const GlobalType& g = m_.globals[in.index];
        InstId i = f_->create1(Opcode::GlobalGet, type_of(g.type), {});
        f_->insts[i].imm = in.index;
        if (!g.mutable_) f_->insts[i].flags |= InstFlag::Immutable;
        stack_.push_back(f_->insts[emit(i)].result);
        return;
      }
      case Op::GlobalSet: {
        ValueId v = pop();
        InstId i = emit(f_->create1(Opcode::GlobalSet, Type::Void, std::span<const ValueId>(&v, 1)));
        f_->insts[i].imm = in.index;
        return;
      }
      case Op::I32Const:
      case Op::I64Const:
      case Op::F32Const:
      case Op::F64Const: {
        InstId i = emit(f_->create1(Opcode::Const, type_of(info.result), {}));
        f_->insts[i].imm = in.op == Op::I32Const ? uint64_t(uint32_t(in.bits)) : in.bits;
        stack_.push_back(f_->insts[i].result);
        return;
      }
      case Op::V128Const: {
        InstId i = emit(f_->create1(Opcode::Const, Type::V128, {}));
        f_->insts[i].imm = f_->v128_consts.size();
        f_->v128_consts.push_back(in.v128);
        stack_.push_back(f_->insts[i].result);
        return;
      }
      case Op::RefNull: {
        stack_.push_back(emit1(Opcode::RefNull, type_of(in.type), {}));
        return;
      }
      case Op::RefIsNull: {
        ValueId v = pop();
        stack_.push_back(emit1(Opcode::RefIsNull, Type::I32, std::span<const ValueId>(&v, 1)));
        return;
      }
      case Op::RefFunc: {
        InstId i = emit(f_->create1(Opcode::RefFunc, Type::FuncRef, {}));
        f_->insts[i].imm = in.index;
        stack_.push_back(f_->insts[i].result);
        return;
      }
      case Op::Call:
      case Op::ReturnCall: return do_call(in);
      case Op::CallIndirect:
      case Op::ReturnCallIndirect: return do_call_indirect(in);
      default: break;
    }
    if (info.imm == Imm::MemArg || info.imm == Imm::MemArgLane) return do_memory(in);
    if (is_runtime_op(in.op)) return do_runtime(in);
    if (info.special()) return fail(std::string("unsupported operator ") + info.text);
    // A pure numeric or SIMD operator.
    unsigned n = info.param_count();
    ValueId args[3];
    for (unsigned k = n; k-- > 0;) args[k] = pop();
    InstId i = f_->create1(Opcode::Wasm, type_of(info.result), std::span<const ValueId>(args, n));
    Inst& inst = f_->insts[i];
    inst.op = in.op;
    if (info.imm == Imm::Lane) inst.lane = in.lane;
    if (info.imm == Imm::Shuffle) {
      inst.imm = f_->v128_consts.size();
      f_->v128_consts.push_back(in.v128);
    }
    emit(i);
    if (info.result != Slot::None) stack_.push_back(f_->insts[i].result);
  }

  // The back end's table code (bounds checks, table.size) assumes i32 indices: a function that
  // uses a table64 table stays on the baseline.
  bool touches_table64(const Instruction& in) const {
    auto is64 = [&](uint32_t t) { return t < m_.tables.size() && m_.tables[t].is64; };
    switch (in.op) {
      case Op::TableGet: case Op::TableSet: case Op::TableGrow: case Op::TableSize:
      case Op::TableFill: return is64(in.index);
      case Op::TableCopy: return is64(in.index) || is64(in.index2);
      case Op::TableInit: case Op::CallIndirect: case Op::ReturnCallIndirect: return is64(in.index2);
      default: return false;
    }
  }

  static bool is_runtime_op(Op op) {
    switch (op) {
      case Op::MemorySize: case Op::MemoryGrow: case Op::MemoryInit: case Op::DataDrop:
      case Op::MemoryCopy: case Op::MemoryFill: case Op::TableInit: case Op::ElemDrop:
      case Op::TableCopy: case Op::TableGrow: case Op::TableSize: case Op::TableFill:
      case Op::TableGet: case Op::TableSet:
        return true;
      default: return false;
    }
  }

  void skip_dead(const Instruction& in) {
    switch (in.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If: ++dead_depth_; return;
      case Op::Else:
        if (dead_depth_ == 0) do_else();
        return;
      case Op::End:
        if (dead_depth_ == 0) do_end();
        else --dead_depth_;
        return;
      default: return;
    }
  }

  void do_else() {
    Frame& fr = frames_.back();
    if (reachable()) {
      size_t n = results_of(fr).size();
      BlockId end = label_of(0);
      jump(end, top(n));
    }
    stack_.resize(fr.height);
    stack_.insert(stack_.end(), fr.if_params.begin(), fr.if_params.end());
    BlockId else_b = fr.else_block;
    fr.else_block = kNone;
    start(else_b);
  }

  void do_end() {
    Frame& fr = frames_.back();
    size_t n = results_of(fr).size();
    if (fr.kind == Frame::Func) {
      if (reachable()) terminate(Opcode::Return, top(n));
      vars_->leave();
      frames_.pop_back();
      return;
    }
    if (fr.kind == Frame::If && fr.else_block != kNone) {
      // No else: the false edge passes the if's parameters through as its results.
      BlockId end = label_of(0);
      if (reachable()) jump(end, top(n));
      start(fr.else_block);
      jump(end, fr.if_params);
    }
    if (fr.kind == Frame::Loop) {
      vars_->seal(fr.label);
      // The loop's end is not a branch target: the fallthrough simply continues.
      size_t height = fr.height;
      frames_.pop_back();
      if (!reachable()) stack_.resize(height);
      return;
    }
    BlockId end = fr.label;
    if (end == kNone) {  // nothing branches to this block's end: continue where we are
      size_t height = fr.height;
      bool live = reachable();
      frames_.pop_back();
      if (!live) stack_.resize(height);
      return;
    }
    if (reachable()) jump(end, top(n));
    size_t height = fr.height;
    frames_.pop_back();
    stack_.resize(height);
    vars_->seal(end);
    if (vars_->has_preds(end)) {
      start(end);
      for (ValueId p : f_->params_of(end)) stack_.push_back(p);
    }
  }

  void do_call(const Instruction& in) {
    const FuncType& sig = m_.func_type(in.index);
    bool import = in.index < m_.num_imported_funcs;
    std::vector<ValueId> args(top(sig.params.size()).begin(), top(sig.params.size()).end());
    stack_.resize(stack_.size() - args.size());
    if (in.op == Op::ReturnCall) {
      InstId t = terminate(import ? Opcode::ReturnCallImport : Opcode::ReturnCall, args);
      f_->insts[t].imm = in.index;
      return set_unreachable();
    }
    std::vector<Type> rts;
    for (ValType t : sig.results) rts.push_back(type_of(t));
    InstId i = emit(f_->create(import ? Opcode::CallImport : Opcode::Call, args, rts));
    f_->insts[i].imm = in.index;
    for (uint32_t r = 0; r < rts.size(); ++r) stack_.push_back(f_->insts[i].result + r);
    clobber_memory_state();
  }

  void do_call_indirect(const Instruction& in) {
    const FuncType& sig = m_.types[in.index];
    ValueId callee = pop();
    std::vector<ValueId> args(top(sig.params.size()).begin(), top(sig.params.size()).end());
    stack_.resize(stack_.size() - args.size());
    args.push_back(callee);
    if (in.op == Op::ReturnCallIndirect) {
      InstId t = terminate(Opcode::ReturnCallIndirect, args);
      f_->insts[t].imm = in.index;
      f_->insts[t].imm2 = in.index2;
      return set_unreachable();
    }
    std::vector<Type> rts;
    for (ValType t : sig.results) rts.push_back(type_of(t));
    InstId i = emit(f_->create(Opcode::CallIndirect, args, rts));
    f_->insts[i].imm = in.index;
    f_->insts[i].imm2 = in.index2;
    for (uint32_t r = 0; r < rts.size(); ++r) stack_.push_back(f_->insts[i].result + r);
    clobber_memory_state();
  }

  void do_memory(const Instruction& in) {
    const OpInfo& info = in.info();
    bool store = info.result == Slot::None;
    bool lane = info.imm == Imm::MemArgLane;
    ValueId args[3];
    args[0] = membase(in.mem.memory);
    unsigned n = 1;
    ValueId extra = (store || lane) ? pop() : kNone;  // the stored value or the vector
    args[n++] = pop();                                // the address
    if (extra != kNone) args[n++] = extra;
    InstId i = f_->create1(store ? Opcode::Store : Opcode::Load, store ? Type::Void : type_of(info.result),
                           std::span<const ValueId>(args, n));
    Inst& inst = f_->insts[i];
    inst.op = in.op;
    inst.imm = in.mem.offset;
    inst.imm2 = in.mem.memory;
    inst.lane = in.lane;
    emit(i);
    if (!store) stack_.push_back(f_->insts[i].result);
  }

  void do_runtime(const Instruction& in) {
    const OpInfo& info = in.info();
    unsigned n = info.param_count();
    Type result = type_of(info.result);
    switch (in.op) {
      case Op::TableGet: n = 1; result = type_of(m_.tables[in.index].element); break;
      case Op::TableSet: n = 2; break;
      case Op::TableGrow: n = 2; result = Type::I32; break;
      case Op::TableFill: n = 3; break;
      case Op::MemorySize:
        if (m_.memories[in.index].is64) result = Type::I64;
        break;
      case Op::MemoryGrow:
        if (m_.memories[in.index].is64) result = Type::I64;
        break;
      default: break;
    }
    std::vector<ValueId> args(top(n).begin(), top(n).end());
    stack_.resize(stack_.size() - n);
    InstId i = f_->create1(Opcode::Runtime, result, args);
    f_->insts[i].op = in.op;
    f_->insts[i].imm = in.index;
    f_->insts[i].imm2 = in.index2;
    emit(i);
    if (result != Type::Void) stack_.push_back(f_->insts[i].result);
    clobber_memory_state();
  }

  static void resolve_all(Function& f) {
    for (InstId i = 0; i < f.insts.size(); ++i)
      for (ValueId& a : f.args(i)) a = f.resolve(a);
    for (Edge& e : f.edges)
      for (ValueId& a : f.list(e.args)) a = f.resolve(a);
  }

  const ModuleInfo& m_;
  const Features& features_;
  Function* f_ = nullptr;
  SsaVars* vars_ = nullptr;
  std::vector<Frame> frames_;
  std::vector<ValueId> stack_;
  std::vector<ValueId> membase_;  // per memory: its base in the current block, if loaded
  uint32_t dead_depth_ = 0;
  bool ok_ = true;
  std::string reason_;
  uint32_t at_ = 0;
};

}  // namespace wasm::detail::jit::opt
