/**
 * `/proc/<pid>/cgroup` parsing on samples (tests/fixtures/linux/cgroup/README.md says where each
 * comes from): containers by engine and id, systemd services (never scopes), system and user.
 */

import { assertEquals } from "../support/assert.ts";
import { parseCgroup } from "../../src/platform/linux/cgroup.ts";

const sample = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/linux/cgroup/${name}`, import.meta.url));

Deno.test("cgroup: containers by engine and id", () => {
  assertEquals(parseCgroup(sample("docker-cgroupfs-v1.txt")), {
    container: {
      engine: "docker",
      id: "1e3f21d5d7f9e8024d4cc97394f6716780dff2236b4b8417a1ca777e0e547f17",
    },
    unit: null,
  });
  assertEquals(parseCgroup(sample("docker-systemd-v2.txt")).container, {
    engine: "docker",
    id: "7c1f3b5c2b5a4e6d8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
  });
  assertEquals(parseCgroup(sample("podman-v2.txt")).container, {
    engine: "podman",
    id: "4b6d2f0e9c8a7b6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
  });
  // conmon watches a Podman container from outside it: it is not the container.
  assertEquals(parseCgroup(sample("podman-conmon-v2.txt")).container, null);
});

Deno.test("cgroup: systemd services, system and user; scopes and plain processes are not", () => {
  assertEquals(parseCgroup(sample("systemd-service-v2.txt")), {
    container: null,
    unit: { name: "nginx.service", uid: null },
  });
  assertEquals(parseCgroup(sample("systemd-user-service-v2.txt")).unit, {
    name: "web.service",
    uid: 1000,
  });
  assertEquals(parseCgroup(sample("systemd-service-hybrid.txt")).unit, {
    name: "supervisor.service",
    uid: null,
  });
  assertEquals(parseCgroup(sample("session-scope-v2.txt")), { container: null, unit: null });
  assertEquals(parseCgroup(sample("plain-v1.txt")), { container: null, unit: null });
  assertEquals(parseCgroup("0::/user.slice/user-1000.slice/user@1000.service\n").unit, null);
  assertEquals(parseCgroup(""), { container: null, unit: null });
});
