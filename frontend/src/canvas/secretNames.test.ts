import { describe, expect, it } from "vitest";
import { secretNameLike, unmaskedSecretWarning } from "./secretNames";

describe("secret-looking names (the server's rule)", () => {
  it("flags passwords, tokens, keys and credentials however they are written", () => {
    for (const name of ["db_password", "DB_PASSWD", "mysql_pwd", "apiKey", "api_key", "X-Api-Key", "authToken", "ACCESS_KEY", "private_key", "credentials", "client_secret", "OBS_SK", "obsSk", "db_pass", "keytab", "Authorization", "Cookie"]) {
      expect(secretNameLike(name), name).toBe(true);
    }
  });

  it("leaves ordinary names alone, near misses included", () => {
    for (const name of ["day", "bizdate", "tokenUrl", "accessKeyId", "task", "bypass", "disk", "pwdPolicy", "", undefined]) {
      expect(secretNameLike(name), String(name)).toBe(false);
    }
  });

  it("warns only for a secret-looking name that is not masked", () => {
    expect(unmaskedSecretWarning("db_password", false)).toMatch(/not masked/);
    expect(unmaskedSecretWarning("db_password", true)).toBeNull();
    expect(unmaskedSecretWarning("day", false)).toBeNull();
  });
});
