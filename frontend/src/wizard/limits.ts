/**
 * The largest package the server takes. The server's PACKAGE_MAX_PACKED_BYTES comes with the page
 * (templates/console.html's console config, as `packageMaxBytes`): the wizard refuses a larger file before
 * uploading it, and names that limit, instead of a number of its own the server does not share.
 */

const MIB = 1024 * 1024;

/** `packageMaxBytes` of the page's config, or null when the page gives none (the server then decides). */
export function serverPackageMaxBytes(config: unknown = typeof window !== "undefined" ? (window as { CONSOLE?: unknown }).CONSOLE : undefined): number | null {
  const value = (config as { packageMaxBytes?: unknown } | undefined)?.packageMaxBytes;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

/** "512 MiB", "1.5 MiB", "0.01 MiB": sizes as the limit is named. */
export function formatMiB(bytes: number): string {
  const mib = bytes / MIB;
  const digits = mib >= 10 ? 1 : 2;
  return `${Math.max(Number(mib.toFixed(digits)), 0.01)} MiB`;
}

/** Why a file of `size` bytes cannot be uploaded under `max`, or null. */
export function packageSizeProblem(size: number, max: number | null): string | null {
  if (max === null || size <= max) return null;
  return `The file is ${formatMiB(size)}; this server accepts packages of at most ${formatMiB(max)}.`;
}
