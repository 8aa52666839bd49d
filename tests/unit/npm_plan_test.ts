import { assertEquals } from "../support/assert.ts";
import { TARGETS } from "../../scripts/build_plan.ts";
import {
  DEFAULT_REPOSITORY,
  mainPackageJson,
  platformPackageJson,
  repositoryField,
} from "../../scripts/npm_plan.ts";

Deno.test("npm packages name their repository, as npm publish --provenance requires", () => {
  const expected = { type: "git", url: "git+https://github.com/acme/portctl.git" };
  assertEquals(repositoryField("acme/portctl"), expected);
  assertEquals(mainPackageJson("1.2.3", TARGETS, "acme/portctl").repository, expected);
  for (const target of TARGETS) {
    assertEquals(platformPackageJson(target, "1.2.3", "acme/portctl").repository, expected);
  }
  assertEquals(mainPackageJson("1.2.3").repository, repositoryField(DEFAULT_REPOSITORY));
});
