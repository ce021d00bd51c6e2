import { describe, expect, it } from "vitest";
import { formatMiB, packageSizeProblem, serverPackageMaxBytes } from "./limits";

const MIB = 1024 * 1024;

describe("the package size limit", () => {
  it("comes from the page's config, or is unknown", () => {
    expect(serverPackageMaxBytes({ packageMaxBytes: 512 * MIB })).toBe(512 * MIB);
    expect(serverPackageMaxBytes({ csrfHeader: "X-CSRFToken" })).toBeNull();
    expect(serverPackageMaxBytes({ packageMaxBytes: "big" })).toBeNull();
    expect(serverPackageMaxBytes(undefined)).toBeNull();
  });

  it("is named in MiB", () => {
    expect(formatMiB(512 * MIB)).toBe("512 MiB");
    expect(formatMiB(1.5 * MIB)).toBe("1.5 MiB");
    expect(formatMiB(600.04 * MIB)).toBe("600 MiB");
    expect(formatMiB(1)).toBe("0.01 MiB");
  });

  it("refuses only files over it, naming it", () => {
    expect(packageSizeProblem(11 * MIB, 512 * MIB)).toBeNull(); // the old browser-only 10 MB limit is gone
    expect(packageSizeProblem(2 * MIB, MIB)).toBe("The file is 2 MiB; this server accepts packages of at most 1 MiB.");
    expect(packageSizeProblem(10 ** 12, null)).toBeNull();
  });
});
