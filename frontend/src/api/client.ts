/**
 * The one module that talks to the server: every request goes through `http` here.
 *
 * It adds the CSRF header to every non-GET request, sends and reads JSON, and turns the console API's
 * error envelope `{"message", "code", "extra": {"fields"}}` into a typed `ApiError` that the UI can branch
 * on (`code`) and show (`message`, `fields`). It is built on openapi-fetch over the generated `paths`
 * (schema.d.ts), so that every call's URL, parameters, body and answer are typed from the server's schema.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

export type FieldErrors = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.extra = extra;
  }

  /** The message for one form field, if the server sent one. */
  fieldMessage(name: string): string | undefined {
    const value = this.fields[name];
    if (value == null) return undefined;
    if (Array.isArray(value)) return value.map(String).join(" ");
    return typeof value === "string" ? value : JSON.stringify(value);
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  400: "The request was not accepted.",
  401: "You are not signed in.",
  403: "You do not have permission to do this.",
  404: "It no longer exists.",
  409: "It conflicts with the current state.",
  412: "Someone else changed it in the meantime.",
  413: "The file is too large.",
  500: "The server failed. Try again later.",
  502: "The server cannot be reached.",
  503: "The service is unavailable. Try again later.",
  504: "The server took too long to answer.",
};

const STATUS_CODES: Record<number, string> = {
  400: "invalid",
  401: "not_authenticated",
  403: "permission_denied",
  404: "not_found",
  409: "conflict",
  412: "stale",
  413: "too_large",
};

/** Turns an HTTP status and a parsed body (or null when it was not JSON) into an ApiError. */
export function apiErrorFrom(status: number, body: unknown, statusText = ""): ApiError {
  const fallbackMessage = STATUS_MESSAGES[status] ?? (statusText || `The request failed (HTTP ${status}).`);
  const fallbackCode = STATUS_CODES[status] ?? (status >= 500 ? "server_error" : "error");
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const extra = b.extra && typeof b.extra === "object" ? (b.extra as Record<string, unknown>) : {};
    const fields = extra.fields && typeof extra.fields === "object" ? (extra.fields as FieldErrors) : {};
    // DRF's own shape ({"detail": ...}) in case a view escapes the handler.
    const message =
      typeof b.message === "string" && b.message
        ? b.message
        : typeof b.detail === "string" && b.detail
          ? b.detail
          : fallbackMessage;
    const code = typeof b.code === "string" && b.code ? b.code : fallbackCode;
    return new ApiError(status, code, message, fields, extra);
  }
  return new ApiError(status, fallbackCode, fallbackMessage);
}

/** A network failure (no HTTP answer at all) as an ApiError with status 0. */
export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  (err as { cause?: unknown }).cause = cause;
  return err;
}

/** The value of one cookie from a `document.cookie` string. */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The file name from a Content-Disposition header (RFC 6266, with or without filename*). */
export function fileNameFromDisposition(header: string | null, fallback = "download"): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  if (plain) return (plain[2] ?? plain[1]).trim();
  return fallback;
}

/** A query string from an object, leaving out undefined and null values. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Plain words for any error, for display. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

// ---------------------------------------------------------------------------------------------
// The browser side.

declare global {
  interface Window {
    CONSOLE?: { user?: { username: string; id: number }; csrfHeader?: string };
  }
}

function csrfHeaderName(): string {
  return (typeof window !== "undefined" && window.CONSOLE?.csrfHeader) || "X-CSRFToken";
}

function csrfToken(): string {
  return (typeof document !== "undefined" && readCookie(document.cookie, "csrftoken")) || "";
}

/** Sends the browser to the login page, coming back here afterwards. */
export function redirectToLogin(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login/?next=${encodeURIComponent(next)}`);
}

/** The error envelope (or DRF's own shape) as an ApiError; a 401 sends the browser to the login page. */
async function errorFromResponse(response: Response): Promise<ApiError> {
  let parsed: unknown = null;
  try {
    parsed = await response.clone().json();
  } catch {
    parsed = null;
  }
  const error = apiErrorFrom(response.status, parsed, response.statusText);
  if (error.code === "not_authenticated") redirectToLogin();
  return error;
}

// Every request: the CSRF header on writes, JSON unless the caller asks for a file, a network failure and
// an error answer thrown as ApiError (so a call's `data` is always the schema's success type).
const envelope: Middleware = {
  onRequest({ request }) {
    if (!request.headers.has("Accept")) request.headers.set("Accept", "application/json");
    if (request.method !== "GET" && request.method !== "HEAD") request.headers.set(csrfHeaderName(), csrfToken());
    return request;
  },
  onError({ error }) {
    if (error instanceof DOMException && error.name === "AbortError") return error;
    return networkError(error);
  },
  async onResponse({ response }) {
    if (!response.ok) throw await errorFromResponse(response);
    return undefined;
  },
};

/**
 * The typed client: every path, parameter, body and answer comes from the generated `paths`. Calls read
 * as `ok(http.GET("/api/session/"))`.
 */
export const http = createClient<paths>({ credentials: "same-origin" });
http.use(envelope);

type Answer = { data?: unknown; error?: unknown; response: Response };
/** The success branch's body of an openapi-fetch answer (its error branch has no `data`). */
type Success<R> = R extends { data: infer D; error?: never } ? D : never;

/** The success body of a call (the middleware has already thrown for an error answer). */
export async function ok<R extends Answer>(call: Promise<R>): Promise<Success<R>> {
  const answer = await call;
  if (answer.error !== undefined || !answer.response.ok) throw await errorFromResponse(answer.response);
  // Only the success branch is left; an answer without a body (204) has no data, and its type says so.
  return answer.data as Success<R>;
}

export type FileOrJson<T> = { kind: "file"; blob: Blob; fileName: string } | { kind: "json"; status: number; data: T };

/**
 * A call whose answer is either a file (a zip to save) or the schema's JSON (e.g. a task to poll). Pass the
 * call with `parseAs: "stream"`, so that the body is still unread here.
 */
export async function fileOrJson<T>(call: Promise<Answer>, fallbackName = "download.zip"): Promise<FileOrJson<T>> {
  const { response } = await call;
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("application/json")) {
    // The schema's JSON answer of the same operation: T is that operation's success type.
    return { kind: "json", status: response.status, data: (await response.json()) as T };
  }
  const blob = await response.blob();
  return { kind: "file", blob, fileName: fileNameFromDisposition(response.headers.get("Content-Disposition"), fallbackName) };
}

/** A file answer (e.g. an import report) from a call made with `parseAs: "blob"`. */
export async function asFile(call: Promise<Answer>, fallbackName = "download"): Promise<{ blob: Blob; fileName: string }> {
  const { data, response } = await call;
  const blob = data instanceof Blob ? data : await response.blob();
  return { blob, fileName: fileNameFromDisposition(response.headers.get("Content-Disposition"), fallbackName) };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
