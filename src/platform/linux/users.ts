/**
 * User names from `/etc/passwd`, read once per run and only when a name is first needed.
 *
 * @module
 */

let namesByUid: Map<number, string> | undefined;

/** Parses passwd text (`name:x:uid:gid:...` per line) into uid → first name listed. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 3 || line.startsWith("#")) continue;
    const uid = Number(fields[2]);
    if (Number.isInteger(uid) && !names.has(uid)) names.set(uid, fields[0]);
  }
  return names;
}

/**
 * The user name for `uid`, or the uid as text when `/etc/passwd` has no entry for it (LDAP users,
 * container uids), so a user column is never empty.
 */
export function userName(uid: number): string {
  if (!namesByUid) {
    try {
      namesByUid = parsePasswd(Deno.readTextFileSync("/etc/passwd"));
    } catch {
      namesByUid = new Map();
    }
  }
  return namesByUid.get(uid) ?? String(uid);
}
