/**
 * When a suite needing services runs, skips or fails (tests/support/requirements.ts): the decision
 * and what it prints. Probing the machine itself is exercised by the suites that use it.
 */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import {
  decide,
  explain,
  servicesRequired,
  SETUP_COMMAND,
  type Shortfall,
} from "../support/requirements.ts";

const noDocker: Shortfall = {
  need: "docker",
  reason: "docker is not installed",
  enable: SETUP_COMMAND,
};
const notRoot: Shortfall = {
  need: "root",
  reason: "it needs root (this runs as uid 1000)",
  enable: "run the tests as root (sudo)",
};

Deno.test("services are required under CI=true or PORTCTL_REQUIRE_SERVICES=1, on Linux", () => {
  assertEquals(servicesRequired({}, "linux"), false);
  assertEquals(servicesRequired({ CI: "true" }, "linux"), true);
  assertEquals(servicesRequired({ PORTCTL_REQUIRE_SERVICES: "1" }, "linux"), true);
  // GitHub's runners set CI=true but are not root and have no test image: the workflow opts out.
  assertEquals(servicesRequired({ CI: "true", PORTCTL_REQUIRE_SERVICES: "0" }, "linux"), false);
  assertEquals(servicesRequired({ CI: "false" }, "linux"), false);
  // The set-up (scripts/test-env.sh) exists for Linux only: elsewhere a missing piece is a skip.
  assertEquals(servicesRequired({ CI: "true" }, "darwin"), false);
  assertEquals(servicesRequired({ PORTCTL_REQUIRE_SERVICES: "1" }, "windows"), false);
});

Deno.test("a suite runs when nothing is short, else skips, or fails where required", () => {
  assertEquals(decide([], true), { kind: "run" });
  assertEquals(decide([noDocker], false), { kind: "skip", shortfalls: [noDocker] });
  assertEquals(decide([noDocker], true), { kind: "fail", shortfalls: [noDocker] });
});

Deno.test("a skip names the suite, every reason and each command that would enable it once", () => {
  const line = explain("Docker tests", decide([notRoot, noDocker, noDocker], false));
  assertMatch(line, /^SKIP Docker tests: it needs root \(this runs as uid 1000\); docker is/);
  assert(line.includes(`To run it: run the tests as root (sudo); then ${SETUP_COMMAND}`), line);
  assertEquals(line.split(SETUP_COMMAND).length, 2, line);
});

Deno.test("a failure says why the suite is required here and how to fix or opt out", () => {
  const line = explain("Docker tests", decide([noDocker], true));
  assertMatch(line, /^FAIL Docker tests: docker is not installed\. Required here/);
  assert(line.includes("PORTCTL_REQUIRE_SERVICES=0"), line);
  assert(line.endsWith(`To fix: ${SETUP_COMMAND}`), line);
});
