#pragma once
// A minimal ELF64 relocatable object that describes JIT code to a debugger: a .text section
// without contents (SHT_NOBITS) whose address is the code's, and a symbol table naming each
// function with its offset and size in it. Debuggers read it through the GDB JIT interface
// (gdb_jit.hpp); symbols are enough for them to name frames and find function starts (the
// x86-64 prologue our frames begin with does the rest of unwinding). No DWARF.
#include <elf.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "wasm/detail/jit/profiling/code_symbols.hpp"

namespace wasm::detail::jit::profiling {

// The object for code [base, base + size); every symbol must lie inside it.
inline std::vector<uint8_t> write_symbol_elf(uintptr_t base, size_t size, std::span<const CodeSymbol> symbols) {
  enum Section : uint16_t { kNull, kText, kSymtab, kStrtab, kShstrtab, kCount };

  std::string shstrtab(1, '\0');
  auto section_name = [&](const char* name) {
    uint32_t at = uint32_t(shstrtab.size());
    shstrtab.append(name).push_back('\0');
    return at;
  };
  const uint32_t text_name = section_name(".text");
  const uint32_t symtab_name = section_name(".symtab");
  const uint32_t strtab_name = section_name(".strtab");
  const uint32_t shstrtab_name = section_name(".shstrtab");

  std::string strtab(1, '\0');
  std::vector<Elf64_Sym> syms(1);  // [0]: the undefined symbol
  // A section symbol, as assemblers emit: some readers expect one per allocated section.
  Elf64_Sym section{};
  section.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  section.st_shndx = kText;
  syms.push_back(section);
  const uint32_t first_global = uint32_t(syms.size());
  for (const CodeSymbol& s : symbols) {
    Elf64_Sym sym{};
    sym.st_name = uint32_t(strtab.size());
    strtab.append(s.name).push_back('\0');
    sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym.st_other = STV_DEFAULT;
    sym.st_shndx = kText;
    sym.st_value = s.address - base;  // relocatable object: section-relative
    sym.st_size = s.size;
    syms.push_back(sym);
  }

  // Layout: ELF header, symbol table, string tables, section headers (8-aligned).
  auto align8 = [](size_t n) { return (n + 7) & ~size_t(7); };
  const size_t symtab_off = sizeof(Elf64_Ehdr);
  const size_t symtab_size = syms.size() * sizeof(Elf64_Sym);
  const size_t strtab_off = symtab_off + symtab_size;
  const size_t shstrtab_off = strtab_off + strtab.size();
  const size_t shdr_off = align8(shstrtab_off + shstrtab.size());
  std::vector<uint8_t> out(shdr_off + kCount * sizeof(Elf64_Shdr), 0);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shdr_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = kCount;
  eh.e_shstrndx = kShstrtab;
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + symtab_off, syms.data(), symtab_size);
  std::memcpy(out.data() + strtab_off, strtab.data(), strtab.size());
  std::memcpy(out.data() + shstrtab_off, shstrtab.data(), shstrtab.size());

  Elf64_Shdr sh[kCount]{};
  sh[kText].sh_name = text_name;
  sh[kText].sh_type = SHT_NOBITS;
  sh[kText].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  sh[kText].sh_addr = base;
  sh[kText].sh_size = size;
  sh[kText].sh_addralign = 16;
  sh[kSymtab].sh_name = symtab_name;
  sh[kSymtab].sh_type = SHT_SYMTAB;
  sh[kSymtab].sh_offset = symtab_off;
  sh[kSymtab].sh_size = symtab_size;
  sh[kSymtab].sh_link = kStrtab;
  sh[kSymtab].sh_info = first_global;  // one past the last local symbol
  sh[kSymtab].sh_addralign = 8;
  sh[kSymtab].sh_entsize = sizeof(Elf64_Sym);
  sh[kStrtab].sh_name = strtab_name;
  sh[kStrtab].sh_type = SHT_STRTAB;
  sh[kStrtab].sh_offset = strtab_off;
  sh[kStrtab].sh_size = strtab.size();
  sh[kStrtab].sh_addralign = 1;
  sh[kShstrtab].sh_name = shstrtab_name;
  sh[kShstrtab].sh_type = SHT_STRTAB;
  sh[kShstrtab].sh_offset = shstrtab_off;
  sh[kShstrtab].sh_size = shstrtab.size();
  sh[kShstrtab].sh_addralign = 1;
  std::memcpy(out.data() + shdr_off, sh, sizeof sh);
  return out;
}

}  // namespace wasm::detail::jit::profiling
