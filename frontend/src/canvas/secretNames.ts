/** The server's rule for names that look like a secret (factory/packages/secrets.py): a parameter or
 * environment variable so named has its value emptied in every export and kept encrypted apart, masked
 * or not. The console warns when such a one is not masked, so that the user masks it on purpose. */

const SECRET_WORDS = ["password", "passwd", "passphrase", "secret", "apikey", "privatekey", "keypair", "credential", "authorization", "keytab", "cookie"];
const SECRET_ENDINGS = ["pwd", "token", "accesskey"];
const SECRET_TOKENS = ["pass", "sk"];
const WORDS = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/** Does `name` (a parameter, variable or property name) look like a secret's? */
export function secretNameLike(name: unknown): boolean {
  if (typeof name !== "string" || name === "") return false;
  const folded = name.toLowerCase().replace(/[^a-z0-9]+/g, "");
  if (SECRET_ENDINGS.some((e) => folded.endsWith(e)) || SECRET_WORDS.some((w) => folded.includes(w))) return true;
  return (name.match(WORDS) ?? []).some((w) => SECRET_TOKENS.includes(w.toLowerCase()));
}

/** The warning to show beside a parameter or variable, or null when there is nothing to say. */
export function unmaskedSecretWarning(name: unknown, masked: boolean): string | null {
  if (masked || !secretNameLike(name)) return null;
  return "Named like a secret but not masked: its value is left out of exports and kept encrypted. Mask it to make that explicit.";
}
