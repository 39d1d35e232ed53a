#pragma once
// Control-flow analyses over a Function: predecessors, reverse post-order, the dominator tree
// (Cooper, Harvey and Kennedy's iterative algorithm over RPO) and natural loops. All are
// recomputed from scratch by the passes that need them; each is linear or near.
#include <algorithm>
#include <vector>

#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

// Calls f(edge index) for each outgoing edge of b.
template <typename F>
void for_each_succ_edge(const Function& f, BlockId b, F fn) {
  InstId t = f.terminator(b);
  if (t == kNone) return;
  for (uint32_t e = 0; e < f.insts[t].edges_count; ++e) fn(f.insts[t].edges_begin + e);
}

struct Cfg {
  // Predecessor edges of each block, as a compressed array: edges pred_edges[pred_begin[b] ..
  // pred_begin[b+1]); the source block of an edge is f.insts[f.edges[e].inst].block.
  std::vector<uint32_t> pred_begin;
  std::vector<uint32_t> pred_edges;
  std::vector<BlockId> rpo;          // reachable blocks in reverse post-order
  std::vector<uint32_t> rpo_index;   // kNone for unreachable blocks

  explicit Cfg(const Function& f) {
    size_t n = f.blocks.size();
    rpo_index.assign(n, kNone);
    // Depth-first search from the entry with an explicit stack (no recursion on deep CFGs).
    std::vector<uint8_t> state(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<std::pair<BlockId, uint32_t>> stack;
    std::vector<BlockId> post;
    stack.push_back({f.entry, 0});
    state[f.entry] = 1;
    while (!stack.empty()) {
      auto& [b, next] = stack.back();
      InstId t = f.terminator(b);
      uint32_t count = t == kNone ? 0 : f.insts[t].edges_count;
      if (next < count) {
        BlockId s = f.edges[f.insts[t].edges_begin + next++].block;
        if (state[s] == 0) {
          state[s] = 1;
          stack.push_back({s, 0});
        }
      } else {
        state[b] = 2;
        post.push_back(b);
        stack.pop_back();
      }
    }
    rpo.assign(post.rbegin(), post.rend());
    for (uint32_t i = 0; i < rpo.size(); ++i) rpo_index[rpo[i]] = i;

    pred_begin.assign(n + 1, 0);
    for (BlockId b : rpo) for_each_succ_edge(f, b, [&](uint32_t e) { pred_begin[f.edges[e].block + 1]++; });
    for (size_t i = 0; i < n; ++i) pred_begin[i + 1] += pred_begin[i];
    pred_edges.resize(pred_begin[n]);
    std::vector<uint32_t> fill(pred_begin.begin(), pred_begin.end() - 1);
    for (BlockId b : rpo) for_each_succ_edge(f, b, [&](uint32_t e) { pred_edges[fill[f.edges[e].block]++] = e; });
  }

  bool reachable(BlockId b) const { return rpo_index[b] != kNone; }
  std::span<const uint32_t> preds(BlockId b) const {
    return {pred_edges.data() + pred_begin[b], pred_begin[b + 1] - pred_begin[b]};
  }
};

struct DomTree {
  std::vector<BlockId> idom;  // kNone for the entry and unreachable blocks
  std::vector<uint32_t> pre, post;  // DFS numbering of the tree, for O(1) dominance queries
  std::vector<uint32_t> child_begin;
  std::vector<BlockId> children;
  std::vector<BlockId> preorder;  // blocks in dominator-tree preorder

  DomTree(const Function& f, const Cfg& cfg) {
    size_t n = f.blocks.size();
    idom.assign(n, kNone);
    if (cfg.rpo.empty()) return;
    BlockId entry = cfg.rpo[0];
    idom[entry] = entry;
    auto intersect = [&](BlockId a, BlockId b) {
      while (a != b) {
        while (cfg.rpo_index[a] > cfg.rpo_index[b]) a = idom[a];
        while (cfg.rpo_index[b] > cfg.rpo_index[a]) b = idom[b];
      }
      return a;
    };
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 1; i < cfg.rpo.size(); ++i) {
        BlockId b = cfg.rpo[i];
        BlockId d = kNone;
        for (uint32_t e : cfg.preds(b)) {
          BlockId p = f.insts[f.edges[e].inst].block;
          if (idom[p] == kNone) continue;
          d = d == kNone ? p : intersect(p, d);
        }
        if (d != idom[b]) {
          idom[b] = d;
          changed = true;
        }
      }
    }
    // Children lists (CSR) and DFS numbers.
    child_begin.assign(n + 1, 0);
    for (BlockId b : cfg.rpo) if (b != entry) child_begin[idom[b] + 1]++;
    for (size_t i = 0; i < n; ++i) child_begin[i + 1] += child_begin[i];
    children.resize(child_begin[n]);
    std::vector<uint32_t> fill(child_begin.begin(), child_begin.end() - 1);
    for (BlockId b : cfg.rpo) if (b != entry) children[fill[idom[b]]++] = b;
    idom[entry] = kNone;
    pre.assign(n, kNone);
    post.assign(n, kNone);
    uint32_t clock = 0;
    std::vector<std::pair<BlockId, uint32_t>> stack{{entry, 0}};
    pre[entry] = clock++;
    preorder.push_back(entry);
    while (!stack.empty()) {
      auto& [b, next] = stack.back();
      if (child_begin[b] + next < child_begin[b + 1]) {
        BlockId c = children[child_begin[b] + next++];
        pre[c] = clock++;
        preorder.push_back(c);
        stack.push_back({c, 0});
      } else {
        post[b] = clock++;
        stack.pop_back();
      }
    }
  }

  // a dominates b (reflexive). Both must be reachable.
  bool dominates(BlockId a, BlockId b) const { return pre[a] <= pre[b] && post[b] <= post[a]; }
  std::span<const BlockId> children_of(BlockId b) const {
    return {children.data() + child_begin[b], child_begin[b + 1] - child_begin[b]};
  }
};

// Natural loops: a header dominates the source of a back edge into it. Loops are listed
// innermost first (by increasing body size, so that a loop comes before any that contains it).
struct LoopInfo {
  struct Loop {
    BlockId header = kNone;
    std::vector<BlockId> blocks;  // the body, header included, in RPO
    uint32_t parent = kNone;      // the innermost enclosing loop
  };
  std::vector<Loop> loops;
  std::vector<uint32_t> innermost;  // per block: its innermost loop, or kNone

  LoopInfo(const Function& f, const Cfg& cfg, const DomTree& dom) {
    size_t n = f.blocks.size();
    innermost.assign(n, kNone);
    std::vector<uint32_t> mark(n, kNone);
    std::vector<BlockId> work;
    for (BlockId h : cfg.rpo) {
      Loop loop;
      loop.header = h;
      for (uint32_t e : cfg.preds(h)) {
        BlockId p = f.insts[f.edges[e].inst].block;
        if (dom.dominates(h, p)) work.push_back(p);
      }
      if (work.empty()) continue;
      uint32_t id = uint32_t(loops.size());
      mark[h] = id;
      std::vector<BlockId> body{h};
      while (!work.empty()) {
        BlockId b = work.back();
        work.pop_back();
        if (mark[b] == id) continue;
        mark[b] = id;
        body.push_back(b);
        for (uint32_t e : cfg.preds(b)) {
          BlockId p = f.insts[f.edges[e].inst].block;
          if (mark[p] != id && dom.dominates(h, p)) work.push_back(p);
        }
      }
      std::sort(body.begin(), body.end(), [&](BlockId a, BlockId b) { return cfg.rpo_index[a] < cfg.rpo_index[b]; });
      loop.blocks = std::move(body);
      loops.push_back(std::move(loop));
    }
    std::vector<uint32_t> order(loops.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return loops[a].blocks.size() < loops[b].blocks.size(); });
    std::vector<Loop> sorted;
    for (uint32_t i : order) sorted.push_back(std::move(loops[i]));
    loops = std::move(sorted);
    // Innermost loop per block: the first (smallest) loop that contains it. A block already
    // claimed belongs to smaller loops, whose outermost so far gets this loop as its parent.
    for (uint32_t l = 0; l < loops.size(); ++l)
      for (BlockId b : loops[l].blocks) {
        if (innermost[b] == kNone) {
          innermost[b] = l;
          continue;
        }
        uint32_t top = innermost[b];
        while (loops[top].parent != kNone) top = loops[top].parent;
        if (top != l) loops[top].parent = l;
      }
  }

  bool contains(uint32_t loop, BlockId b) const {
    for (uint32_t l = innermost[b]; l != kNone; l = loops[l].parent)
      if (l == loop) return true;
    return false;
  }
};

}  // namespace wasm::detail::jit::opt
