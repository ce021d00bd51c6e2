import { describe, expect, it } from "vitest";
import type { ConnectionTypeSpec } from "../api/connections";
import type { Connection } from "../api/types";
import { envVarWarning, formErrors, formPayload, initialValues } from "./logic";

const DWS: ConnectionTypeSpec = {
  code: "DWS",
  label: "DWS",
  test: "postgres",
  fields: [
    { name: "host", label: "Host", widget: "text", required: true, secret: false, default: null, help: "", options: [] },
    { name: "port", label: "Port", widget: "number", required: true, secret: false, default: 8000, help: "", options: [] },
    { name: "password", label: "Password", widget: "password", required: false, secret: true, default: null, help: "", options: [] },
    { name: "sslEnable", label: "SSL", widget: "boolean", required: false, secret: false, default: false, help: "", options: [] },
  ],
};

const saved = { id: 1, name: "doctest", type: "DWS", config: { host: "h", port: 9000, extra: "kept" }, secretFields: ["password"] } as unknown as Connection;

describe("the connection form", () => {
  it("starts from defaults, or from the saved config with every secret blank", () => {
    expect(initialValues(DWS)).toEqual({ host: "", port: "8000", password: "", sslEnable: false });
    expect(initialValues(DWS, saved)).toEqual({ host: "h", port: "9000", password: "", sslEnable: false });
  });

  it("names the field that is wrong", () => {
    expect(formErrors(DWS, "", { host: "", port: "x" })).toEqual({ name: "Enter a name.", host: "Enter the host.", port: "Enter a whole number." });
    expect(formErrors(DWS, "dws_prod", { host: "h", port: "70000" })).toEqual({ port: "A port is from 1 to 65535." });
    expect(formErrors(DWS, "dws prod", { host: "h", port: "1" }).name).toMatch(/letters, digits/);
  });

  it("sends a secret only when typed in, numbers as numbers, and keeps config keys it does not show", () => {
    expect(formPayload(DWS, { host: " h ", port: "8000", password: "", sslEnable: true }, saved)).toEqual({
      config: { extra: "kept", host: "h", port: 8000, sslEnable: true },
      secrets: {},
    });
    expect(formPayload(DWS, { host: "h", port: "1", password: "pw", sslEnable: false }).secrets).toEqual({ password: "pw" });
  });

  it("warns about an environment variable named like a secret that is not masked", () => {
    expect(envVarWarning("db_password", false)).toMatch(/stored in clear/);
    expect(envVarWarning("db_password", true)).toBeNull();
    expect(envVarWarning("bizdate", false)).toBeNull();
  });
});
