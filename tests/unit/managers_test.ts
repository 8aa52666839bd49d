/**
 * The pure parts of telling who manages a holder: docker-proxy's and `docker ps`'s words, Docker
 * Desktop's and WSL's forwarders, a looping shell, which holders `--mode` ends through their
 * manager, and the Windows service records the Service Control Manager writes.
 */

import { assertEquals } from "../support/assert.ts";
import {
  type ContainerInfo,
  containerOfProxy,
  parseContainerList,
  parseDockerProxy,
  parseDockerPs,
} from "../../src/platform/container_engine.ts";
import { forwarderManagers } from "../../src/platform/engine_forwarders.ts";
import { isLoopingShell, shellWord } from "../../src/platform/linux/managers.ts";
import { endsThroughManager } from "../../src/core/kill.ts";
import type { ProcessInfo, ProcessManager } from "../../src/platform/types.ts";
import {
  decodeServiceRecords,
  ENUM_SERVICE_STATUS_PROCESSW,
} from "../../src/platform/windows/service_records.ts";

const PROXY = "/usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 32771 " +
  "-container-ip 172.17.0.2 -container-port 8080";

Deno.test("docker-proxy's command line names its container's address", () => {
  assertEquals(parseDockerProxy(PROXY), {
    protocol: "tcp",
    hostIp: "127.0.0.1",
    hostPort: 32771,
    containerIp: "172.17.0.2",
    containerPort: 8080,
  });
  assertEquals(parseDockerProxy("/usr/sbin/docker-proxy -proto sctp -host-port 1"), null);
  assertEquals(parseDockerProxy("node server.js"), null);
});

// What Docker 20.10 answered to GET /containers/json here (trimmed to the fields portctl reads).
const LISTED = JSON.stringify([{
  Id: "d201cae3759e180587126cdc015eaf0225a61eb442d547bb93f0e13487320d7f",
  Names: ["/pc-api"],
  Image: "portctl-test-busybox",
  Ports: [
    { IP: "127.0.0.1", PrivatePort: 8080, PublicPort: 32771, Type: "tcp" },
    { PrivatePort: 9000, Type: "tcp" }, // exposed, not published
  ],
}]);

Deno.test("the Engine API's container list, and the container a proxy forwards to", () => {
  const endpoint = { engine: "docker" as const, socket: "/var/run/docker.sock" };
  const containers = parseContainerList(endpoint, LISTED);
  assertEquals(containers.map((c) => [c.name, c.image, c.ports]), [[
    "pc-api",
    "portctl-test-busybox",
    [{ protocol: "tcp", hostIp: "127.0.0.1", hostPort: 32771, containerPort: 8080 }],
  ]]);
  assertEquals(containerOfProxy(containers, parseDockerProxy(PROXY)!)?.name, "pc-api");
  assertEquals(
    containerOfProxy(containers, { ...parseDockerProxy(PROXY)!, hostPort: 1 }),
    null,
  );
});

Deno.test("docker ps lines (what Windows reads through the docker CLI)", () => {
  const lines = [
    '{"ID":"ab12","Names":"web","Image":"nginx","Ports":"0.0.0.0:8080->80/tcp, :::8080->80/tcp"}',
    '{"ID":"cd34","Names":"db,alias","Image":"postgres","Ports":"5432/tcp"}',
  ].join("\n");
  assertEquals(parseDockerPs(lines).map((c) => [c.id, c.name, c.ports.map((p) => p.hostPort)]), [
    ["ab12", "web", [8080, 8080]],
    ["cd34", "db", []],
  ]);
});

const process = (name: string, pid = 100): ProcessInfo => ({
  pid,
  ppid: 1,
  name,
  user: "ada",
  command: name,
  startTime: "1",
  cwd: null,
  startedAtMs: null,
  exe: null,
});

Deno.test("Docker Desktop's and WSL's forwarders: the container behind the port, or why not", () => {
  const container: ContainerInfo = {
    engine: "docker",
    endpoint: { engine: "docker", socket: "" },
    id: "ab12cd34ef56ab12",
    name: "web",
    image: "nginx",
    ports: [{ protocol: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80 }],
  };
  const managers = forwarderManagers([
    { process: process("com.docker.backend.exe", 1), ports: [{ protocol: "tcp", port: 8080 }] },
    { process: process("com.docker.backend", 2), ports: [{ protocol: "tcp", port: 9999 }] },
    { process: process("wslrelay.exe", 3), ports: [{ protocol: "tcp", port: 3000 }] },
    { process: process("node", 4), ports: [{ protocol: "tcp", port: 3000 }] },
  ], {
    containers: [container],
    stopVia: (c) => ({ kind: "command", argv: ["docker", "stop", c.id], env: {} }),
  });
  const web = managers.get(1)!;
  assertEquals([web.kind, web.name, web.id, web.stopCommand, web.forwarder], [
    "docker",
    "web",
    "ab12cd34ef56",
    "docker stop web",
    true,
  ]);
  assertEquals(web.stop, {
    kind: "command",
    argv: ["docker", "stop", "ab12cd34ef56ab12"],
    env: {},
  });
  assertEquals(managers.get(2)?.stop.kind, "none"); // no container publishes 9999
  assertEquals([managers.get(3)?.kind, managers.get(3)?.stopCommand], [
    "wsl",
    "wsl -e portctl kill 3000",
  ]);
  assertEquals(managers.has(4), false);
});

Deno.test("a shell that loops may restart its server; one that runs a command once does not", () => {
  const shell = (command: string) => ({ name: command.split(" ")[0], command });
  assertEquals(isLoopingShell(shell("bash -c while true; do node s.js; sleep 1; done")), true);
  assertEquals(isLoopingShell(shell("sh -c until node s.js; do sleep 1; done")), true);
  assertEquals(isLoopingShell(shell("sh -c node server.js")), false);
  assertEquals(isLoopingShell(shell("bash ./run.sh")), false);
  assertEquals(isLoopingShell({ name: "python3", command: "python3 -c while True: pass" }), false);
  assertEquals([shellWord("web"), shellWord("my app"), shellWord("it's")], [
    "web",
    "'my app'",
    `'it'"'"'s'`,
  ]);
});

Deno.test("--mode: which holders are ended through their manager", () => {
  const manager = (kind: ProcessManager["kind"], forwarder = false): ProcessManager => ({
    kind,
    name: "web",
    id: null,
    stopCommand: "",
    forwarder,
    restart: { kind: "never" },
    stop: { kind: "none", why: "" },
  });
  const cases: [ProcessManager | null, boolean, boolean, boolean][] = [
    // manager, auto, process, manager
    [null, false, false, false],
    [manager("docker"), true, false, true],
    [manager("docker", true), true, false, true],
    [manager("supervisord"), false, false, true],
    [manager("systemd"), false, false, true],
    [manager("wsl", true), true, false, true],
  ];
  for (const [m, auto, process, viaManager] of cases) {
    assertEquals(
      [
        endsThroughManager(m, "auto"),
        endsThroughManager(m, "process"),
        endsThroughManager(m, "manager"),
      ],
      [auto, process, viaManager],
      m?.kind ?? "none",
    );
  }
});

Deno.test("Windows services: records and the strings they point to, in one buffer", () => {
  // Two records, then their strings, as EnumServicesStatusExW lays them out on x64.
  const L = ENUM_SERVICE_STATUS_PROCESSW;
  const bytes = new Uint8Array(2 * L.size + 64);
  const view = new DataView(bytes.buffer);
  const base = 0x10000n;
  let at = 2 * L.size;
  const put = (text: string) => {
    const start = at;
    for (const ch of text) (view.setUint16(at, ch.charCodeAt(0), true), at += 2);
    view.setUint16(at, 0, true);
    at += 2;
    return base + BigInt(start);
  };
  const records: [string, string, number][] = [["W3SVC", "Web", 4321], ["Stopped", "S", 0]];
  records.forEach(([name, display, pid], i) => {
    view.setBigUint64(i * L.size + L.lpServiceName, put(name), true);
    view.setBigUint64(i * L.size + L.lpDisplayName, put(display), true);
    view.setUint32(i * L.size + L.dwProcessId, pid, true);
  });
  assertEquals(decodeServiceRecords(bytes, { count: 2, base }), [
    { name: "W3SVC", displayName: "Web", pid: 4321 },
  ]);
});
