/**
 * A project's `.portctl/plugins` folder, checked the way git checks hooks and OpenSSH checks
 * `authorized_keys`, before anything in it runs:
 *
 * 1. trusted at all? (`trust.json`; never trusted: mentioned once, not run, the kill goes ahead);
 * 2. safe? the project folder, `.portctl`, the plugin folder and every file in them are yours (or
 *    root's) and nobody else can write them; the folders above are too, or are sticky (`/tmp`);
 * 3. the same bytes? everything is read into memory once and hashed; a difference is "changed";
 * 4. self-contained? every import stays inside the folder, so the hash covers what runs;
 * 5. then it runs from a snapshot of exactly those bytes (`snapshot.ts`).
 *
 * A folder that was trusted but fails 2-5 is refused: nothing is signalled, and the reason says
 * both ways out.
 *
 * @module
 */

import type { PlatformName } from "../platform/types.ts";
import { classifyPlugin, defaultPluginName, type PluginCandidate } from "./discovery.ts";
import { describeOwner, type Identity, unsafePathReason } from "./file_safety.ts";
import {
  type FolderContent,
  FolderContentError,
  type PluginFile,
  readPluginFolder,
} from "./folder_content.ts";
import { findImports, importOutsideReason, MODULE_EXTENSIONS } from "./imports.ts";
import { dirname, join } from "./paths.ts";
import { materializeSnapshot, SnapshotError } from "./snapshot.ts";
import { readTrustStore, trustFilePath, type TrustRecord } from "./trust.ts";

/** What a project plugin folder is, as far as running it goes. */
export type ProjectCheck =
  /** Never trusted (or trusted under another path): not run. */
  | { readonly state: "untrusted" }
  /** Trusted, safe, unchanged, self-contained: these plugins run from the snapshot. */
  | {
    readonly state: "trusted";
    readonly plugins: readonly PluginCandidate[];
    readonly content: FolderContent;
  }
  /** Trusted once, different now. */
  | { readonly state: "changed"; readonly reason: string }
  /** Trusted once, but not safe to run now (ownership, modes, links, size, imports). */
  | { readonly state: "unsafe"; readonly reason: string };

/** Where checks run and for whom. */
export interface ProjectOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly os: PlatformName;
  readonly who: Identity;
}

/** The project folder a `.portctl/plugins` folder belongs to. */
export function projectRootOf(folder: string, os: PlatformName): string {
  return dirname(dirname(folder, os), os);
}

/** The trust record of `folder`, if any. Throws `PluginUsageError` for a bad trust file. */
export function trustRecordOf(folder: string, options: ProjectOptions): TrustRecord | null {
  const file = trustFilePath(options.env, options.os);
  if (!file) return null;
  let real: string;
  try {
    real = Deno.realPathSync(folder);
  } catch {
    return null;
  }
  return readTrustStore(file, options.who, options.os).folders[real] ?? null;
}

/**
 * Why the project folder `folder` (a `.portctl/plugins`) could be changed by someone else, from
 * the project's root down; null when it is safe.
 */
export function unsafeProjectReason(folder: string, options: ProjectOptions): string | null {
  let real: string;
  try {
    real = Deno.realPathSync(folder);
  } catch (error) {
    return `cannot read ${folder} (${(error as Error).message.split("\n")[0]})`;
  }
  return unsafePathReason(real, options.who, options.os, projectRootOf(real, options.os));
}

/**
 * Reads `folder` fully and checks it can be trusted: safe from the project root down, within the
 * size limits, and importing nothing from outside. Throws {@linkcode FolderContentError} naming
 * what is wrong.
 */
export async function readTrustableFolder(
  folder: string,
  options: ProjectOptions,
): Promise<FolderContent> {
  const unsafe = unsafeProjectReason(folder, options);
  if (unsafe) throw new FolderContentError(unsafe);
  const content = await readPluginFolder(folder, options.os, options.who);
  const outside = outsideImport(content.files);
  if (outside) throw new FolderContentError(outside);
  return content;
}

/** The first import in `files` that would run code from outside the folder, as a message. */
export function outsideImport(files: readonly PluginFile[]): string | null {
  const decoder = new TextDecoder();
  for (const file of files) {
    const lower = file.relative.toLowerCase();
    if (!MODULE_EXTENSIONS.some((ext) => lower.endsWith(ext)) || lower.endsWith(".d.ts")) continue;
    for (const found of findImports(decoder.decode(file.bytes))) {
      if (found.problem) return `${file.relative} line ${found.line}: ${found.problem}`;
      const why = importOutsideReason(found.specifier, file.relative);
      if (why) {
        const what = found.specifier === null ? "import()" : `"${found.specifier}"`;
        return `${file.relative} line ${found.line} imports ${what}, which trust cannot cover: ${why}`;
      }
    }
  }
  return null;
}

/** The plugins of a checked folder, as they will run: from `snapshot`, in file-name order. */
function snapshotPlugins(
  folder: string,
  content: FolderContent,
  snapshot: string,
  os: PlatformName,
): PluginCandidate[] {
  const plugins: PluginCandidate[] = [];
  for (const file of content.files) {
    if (file.relative.includes("/") || file.relative.startsWith(".")) continue;
    const info = { isFile: true, mode: file.executable ? 0o755 : 0o644 } as Deno.FileInfo;
    const kind = classifyPlugin(file.relative, info, os);
    if (!kind) continue;
    const path = join(os, folder, file.relative);
    plugins.push({
      path,
      source: "project",
      kind,
      name: defaultPluginName(path, os),
      runPath: join(os, snapshot, file.relative),
    });
  }
  return plugins;
}

/**
 * Checks the project plugin folder `folder` and, when it may run, snapshots it. Throws
 * `PluginUsageError` (exit 2) for a trust file that is unreadable, invalid or not safe.
 *
 * @example
 * ```ts
 * const check = await checkProject("/work/app/.portctl/plugins", { env, os: "linux", who });
 * if (check.state === "trusted") console.log(check.plugins.map((p) => p.runPath));
 * ```
 */
export async function checkProject(folder: string, options: ProjectOptions): Promise<ProjectCheck> {
  const record = trustRecordOf(folder, options);
  if (!record) return { state: "untrusted" };
  let content: FolderContent;
  try {
    content = await readTrustableFolder(folder, options);
  } catch (error) {
    if (!(error instanceof FolderContentError)) throw error;
    return { state: "unsafe", reason: error.message };
  }
  if (content.hash !== record.hash) {
    return { state: "changed", reason: "its files changed since they were trusted" };
  }
  let snapshot: string;
  try {
    snapshot = materializeSnapshot(content, options);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    return { state: "unsafe", reason: error.message };
  }
  return {
    state: "trusted",
    plugins: snapshotPlugins(folder, content, snapshot, options.os),
    content,
  };
}

/**
 * The line for a trusted folder that may not run: what is wrong and both ways out.
 *
 * @example
 * ```ts
 * refusalLine("/src/app/.portctl/plugins", check, "linux");
 * // 'project plugins in /src/app/.portctl/plugins changed since they were trusted, so nothing was …'
 * ```
 */
export function refusalLine(
  folder: string,
  check: Extract<ProjectCheck, { state: "changed" | "unsafe" }>,
  os: PlatformName,
): string {
  const what = check.state === "changed"
    ? `project plugins in ${folder} changed since they were trusted`
    : `project plugins in ${folder} are not safe to run (${check.reason})`;
  return `${what}, so nothing was signalled: review them and run "portctl plugins trust" in ` +
    `${projectRootOf(folder, os)}, or run with --no-plugins`;
}

/** `root`, or `alice (uid 1001)`: who owns `path`, for `plugins trust`; null where unknown. */
export function ownerOf(path: string): string | null {
  try {
    const uid = Deno.statSync(path).uid;
    return uid === null ? null : describeOwner(uid);
  } catch {
    return null;
  }
}
