/**
 * The connection form as plain data: initial values from the server's type definition (and the saved
 * connection when editing), the checks shown beside each field, and the request body. Secret fields start
 * blank and are sent only when typed in: a blank one keeps the stored secret (the server's rule).
 */
import type { ConnectionTypeSpec } from "../api/connections";
import type { Connection } from "../api/types";
import { secretNameLike } from "../canvas/secretNames";
import { validateObjectName } from "../ui/forms";

export type FormValues = Record<string, string | boolean>;

export function initialValues(spec: ConnectionTypeSpec, connection?: Connection | null): FormValues {
  const values: FormValues = {};
  const config = (connection?.config ?? {}) as Record<string, unknown>;
  for (const f of spec.fields) {
    if (f.secret) values[f.name] = "";
    else {
      const v = f.name in config ? config[f.name] : f.default;
      values[f.name] = f.widget === "boolean" ? v === true : v == null ? "" : String(v);
    }
  }
  return values;
}

/** An error per field (by field name, and "name" for the connection's name); empty when all is well. */
export function formErrors(spec: ConnectionTypeSpec, name: string, values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const nameProblem = !name.trim() ? "Enter a name." : validateObjectName(name.trim());
  if (nameProblem) errors.name = nameProblem;
  for (const f of spec.fields) {
    const v = values[f.name];
    if (f.secret || f.widget === "boolean") continue;
    const text = typeof v === "string" ? v.trim() : "";
    if (f.required && !text) errors[f.name] = `Enter the ${f.label.toLowerCase()}.`;
    else if (f.widget === "number" && text && !/^\d+$/.test(text)) errors[f.name] = "Enter a whole number.";
    else if (f.name === "port" && text && (Number(text) < 1 || Number(text) > 65535)) errors[f.name] = "A port is from 1 to 65535.";
  }
  return errors;
}

/** `config` and `secrets` of the request. Keys of a saved config the form does not show are kept. */
export function formPayload(spec: ConnectionTypeSpec, values: FormValues, saved?: Connection | null) {
  const known = new Set(spec.fields.map((f) => f.name));
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((saved?.config ?? {}) as Record<string, unknown>)) if (!known.has(k)) config[k] = v;
  const secrets: Record<string, string> = {};
  for (const f of spec.fields) {
    const v = values[f.name];
    if (f.secret) {
      if (typeof v === "string" && v !== "") secrets[f.name] = v;
    } else if (f.widget === "boolean") config[f.name] = v === true;
    else if (typeof v === "string" && v.trim() !== "") config[f.name] = f.widget === "number" ? Number(v.trim()) : v.trim();
  }
  return { config, secrets };
}

/** What the room says beside an environment variable named like a secret that is not masked. */
export function envVarWarning(name: string, masked: boolean): string | null {
  if (masked || !secretNameLike(name)) return null;
  return "Named like a secret but not masked: its value is stored in clear (exports leave it out). Mask it to keep it encrypted and never shown.";
}
