/**
 * The POSIX account files, `/etc/passwd` and `/etc/group`: pure parsers, and readers that read
 * each file once per run, only when a name is first needed. Names are for people; a uid or gid
 * with no entry (LDAP users, container uids) is shown as its number.
 *
 * @module
 */

/** Parses passwd text (`name:x:uid:gid:...` per line) into uid → first name listed. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const entry of accountEntries(text)) {
    const uid = Number(entry[2]);
    if (Number.isInteger(uid) && !names.has(uid)) names.set(uid, entry[0]);
  }
  return names;
}

/** One group: its name and the users listed as its members. */
export interface GroupEntry {
  readonly name: string;
  readonly members: readonly string[];
}

/**
 * Parses group text (`name:x:gid:member,member` per line) into gid → group.
 *
 * @example
 * ```ts
 * parseGroup("ada:x:1000:\nstaff:x:50:ada,bob\n").get(50); // { name: "staff", members: ["ada", "bob"] }
 * ```
 */
export function parseGroup(text: string): Map<number, GroupEntry> {
  const groups = new Map<number, GroupEntry>();
  for (const entry of accountEntries(text)) {
    const gid = Number(entry[2]);
    if (!Number.isInteger(gid) || groups.has(gid)) continue;
    const members = (entry[3] ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    groups.set(gid, { name: entry[0], members });
  }
  return groups;
}

/** The primary gid of every user in passwd text: uid → gid. */
export function parsePrimaryGroups(text: string): Map<number, number> {
  const gids = new Map<number, number>();
  for (const entry of accountEntries(text)) {
    const uid = Number(entry[2]);
    const gid = Number(entry[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid) && !gids.has(uid)) gids.set(uid, gid);
  }
  return gids;
}

function accountEntries(text: string): string[][] {
  const entries: string[][] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 3 && !line.startsWith("#")) entries.push(fields);
  }
  return entries;
}

function readOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

let passwdText: string | undefined;
let groupText: string | undefined;
let userNames: Map<number, string> | undefined;
let groups: Map<number, GroupEntry> | undefined;
let primaryGroups: Map<number, number> | undefined;

const passwd = () => passwdText ??= readOrEmpty("/etc/passwd");

/** The user name of `uid`, or the uid as text when `/etc/passwd` has no entry for it. */
export function userName(uid: number): string {
  userNames ??= parsePasswd(passwd());
  return userNames.get(uid) ?? String(uid);
}

/** The group name of `gid`, or the gid as text. */
export function groupName(gid: number): string {
  groups ??= parseGroup(groupText ??= readOrEmpty("/etc/group"));
  return groups.get(gid)?.name ?? String(gid);
}

/**
 * True when `gid` is the user private group of `uid` (Debian and Ubuntu give every user a group
 * of their own name, and a umask of 002 makes files group-writable): a group named like the user,
 * with no listed members but that user, that no other user has as primary group. Such a group
 * lets nobody else write.
 */
export function isPrivateGroupOf(gid: number, uid: number): boolean {
  groups ??= parseGroup(groupText ??= readOrEmpty("/etc/group"));
  primaryGroups ??= parsePrimaryGroups(passwd());
  const group = groups.get(gid);
  const user = userName(uid);
  if (!group || group.name !== user) return false;
  if (group.members.some((member) => member !== user)) return false;
  for (const [otherUid, primary] of primaryGroups) {
    if (primary === gid && otherUid !== uid) return false;
  }
  return true;
}
