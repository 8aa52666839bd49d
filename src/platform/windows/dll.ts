/**
 * Opening a DLL on first use: every binding file (`kernel32.ts`, `iphlpapi.ts`, ...) exports a
 * getter made here, so importing a binding on another OS, or on a run that never calls it, costs
 * nothing.
 *
 * @module
 */

/**
 * A getter for `name`'s `symbols`, which opens the DLL on its first call.
 *
 * @example
 * ```ts
 * export const ntdll = openOnFirstUse("ntdll.dll", SYMBOLS);
 * ntdll().NtQueryInformationProcess(...);
 * ```
 */
export function openOnFirstUse<S extends Deno.ForeignLibraryInterface>(
  name: string,
  symbols: S,
): () => Deno.DynamicLibrary<S>["symbols"] {
  let library: Deno.DynamicLibrary<S> | undefined;
  return () => {
    library ??= Deno.dlopen(name, symbols);
    return library.symbols;
  };
}
