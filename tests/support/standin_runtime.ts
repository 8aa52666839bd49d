/**
 * Stand-in `denort` runtimes for testing `deno compile` without the real runtime.
 *
 * `deno compile` does not just append data to the runtime: it parses it as an object file of the
 * target's format (ELF for Linux, Mach-O with a `__LINKEDIT` segment for macOS, PE for Windows) and
 * writes the program into it as a section or resource. A shell script is refused ("Invalid object:
 * Not an ELF file"). These functions build the smallest well-formed file of each format that
 * `deno compile` accepts. They contain no code: the output cannot run, it only proves the build
 * pipeline (flags, per-target runtime selection, archives, checksums).
 *
 * @module
 */

/** The object-file format `deno compile` expects for a target. */
export type RuntimeFormat = "elf" | "macho" | "pe";

/** The format of the runtime `deno compile` needs for `target`. */
export function runtimeFormat(target: string): RuntimeFormat {
  if (target.includes("windows")) return "pe";
  if (target.includes("apple")) return "macho";
  return "elf";
}

/** Bytes of a minimal, code-free object file that `deno compile` accepts as `target`'s runtime. */
export function standinRuntime(target: string): Uint8Array {
  const arm = target.startsWith("aarch64");
  switch (runtimeFormat(target)) {
    case "elf":
      return elf(arm);
    case "macho":
      return macho(arm);
    case "pe":
      return pe();
  }
}

class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  u64(at: number, v: number): void {
    this.view.setBigUint64(at, BigInt(v), true);
  }
  text(at: number, s: string): void {
    this.bytes.set(new TextEncoder().encode(s), at);
  }
}

/** ELF64 executable: header, one PT_LOAD program header, no sections (System V gABI, ch. 4). */
function elf(arm: boolean): Uint8Array {
  const w = new Writer(0x1000);
  w.text(0, "\x7fELF");
  w.u8(4, 2); // ELFCLASS64
  w.u8(5, 1); // ELFDATA2LSB
  w.u8(6, 1); // EV_CURRENT
  w.u16(16, 2); // ET_EXEC
  w.u16(18, arm ? 183 : 62); // EM_AARCH64 / EM_X86_64
  w.u32(20, 1); // e_version
  w.u64(24, 0x400000); // e_entry
  w.u64(32, 64); // e_phoff
  w.u64(40, 0); // e_shoff
  w.u16(52, 64); // e_ehsize
  w.u16(54, 56); // e_phentsize
  w.u16(56, 1); // e_phnum
  w.u16(58, 64); // e_shentsize
  // program header: PT_LOAD, R+X, the whole file at 0x400000
  w.u32(64, 1);
  w.u32(68, 5);
  w.u64(72, 0);
  w.u64(80, 0x400000);
  w.u64(88, 0x400000);
  w.u64(96, 0x1000);
  w.u64(104, 0x1000);
  w.u64(112, 0x1000);
  return w.bytes;
}

/** Mach-O 64 executable: header, `__TEXT` and `__LINKEDIT` segments (<mach-o/loader.h>). */
function macho(arm: boolean): Uint8Array {
  const w = new Writer(0x4000 + 0x20);
  w.u32(0, 0xfeedfacf); // MH_MAGIC_64
  w.u32(4, arm ? 0x0100000c : 0x01000007); // CPU_TYPE_ARM64 / CPU_TYPE_X86_64
  w.u32(8, arm ? 0 : 3); // CPU_SUBTYPE_ARM64_ALL / CPU_SUBTYPE_X86_64_ALL
  w.u32(12, 2); // MH_EXECUTE
  w.u32(16, 3); // ncmds
  w.u32(20, 2 * 72 + 16); // sizeofcmds
  const segment = (at: number, name: string, vmaddr: number, fileoff: number, size: number) => {
    w.u32(at, 0x19); // LC_SEGMENT_64
    w.u32(at + 4, 72);
    w.text(at + 8, name);
    w.u64(at + 24, vmaddr);
    w.u64(at + 32, Math.max(size, 0x4000));
    w.u64(at + 40, fileoff);
    w.u64(at + 48, size);
    w.u32(at + 56, 1); // maxprot: read
    w.u32(at + 60, 1); // initprot: read
  };
  segment(32, "__TEXT", 0x100000000, 0, 0x4000);
  segment(32 + 72, "__LINKEDIT", 0x100004000, 0x4000, 0x20);
  // LC_CODE_SIGNATURE: arm64 binaries are signed ad hoc by deno compile, into this slot
  w.u32(32 + 144, 0x1d);
  w.u32(32 + 144 + 4, 16);
  w.u32(32 + 144 + 8, 0x4000); // dataoff
  w.u32(32 + 144 + 12, 0x20); // datasize
  return w.bytes;
}

/** PE32+ console executable with one `.text` section (Microsoft PE/COFF specification). */
function pe(): Uint8Array {
  const w = new Writer(0x400);
  w.text(0, "MZ");
  w.u32(0x3c, 0x40); // e_lfanew
  w.text(0x40, "PE\0\0");
  const coff = 0x44;
  w.u16(coff, 0x8664); // IMAGE_FILE_MACHINE_AMD64
  w.u16(coff + 2, 1); // NumberOfSections
  w.u16(coff + 16, 240); // SizeOfOptionalHeader
  w.u16(coff + 18, 0x22); // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
  const opt = coff + 20;
  w.u16(opt, 0x20b); // PE32+
  w.u32(opt + 4, 0x200); // SizeOfCode
  w.u32(opt + 16, 0x1000); // AddressOfEntryPoint
  w.u32(opt + 20, 0x1000); // BaseOfCode
  w.u64(opt + 24, 0x140000000); // ImageBase
  w.u32(opt + 32, 0x1000); // SectionAlignment
  w.u32(opt + 36, 0x200); // FileAlignment
  w.u16(opt + 40, 6); // MajorOperatingSystemVersion
  w.u16(opt + 48, 6); // MajorSubsystemVersion
  w.u32(opt + 56, 0x2000); // SizeOfImage
  w.u32(opt + 60, 0x200); // SizeOfHeaders
  w.u16(opt + 68, 3); // IMAGE_SUBSYSTEM_WINDOWS_CUI
  w.u16(opt + 70, 0x8160); // DllCharacteristics: NX, dynamic base, high entropy VA, TS aware
  w.u64(opt + 72, 0x100000); // SizeOfStackReserve
  w.u64(opt + 80, 0x1000); // SizeOfStackCommit
  w.u64(opt + 88, 0x100000); // SizeOfHeapReserve
  w.u64(opt + 96, 0x1000); // SizeOfHeapCommit
  w.u32(opt + 108, 16); // NumberOfRvaAndSizes
  const section = opt + 240;
  w.text(section, ".text");
  w.u32(section + 8, 0x10); // VirtualSize
  w.u32(section + 12, 0x1000); // VirtualAddress
  w.u32(section + 16, 0x200); // SizeOfRawData
  w.u32(section + 20, 0x200); // PointerToRawData
  w.u32(section + 36, 0x60000020); // CODE | EXECUTE | READ
  w.u8(0x200, 0xc3); // ret
  return w.bytes;
}
